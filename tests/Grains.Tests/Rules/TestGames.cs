using System.Buffers.Binary;
using System.Text.Json;
using CardGame.Grains.Rules;

namespace CardGame.Grains.Tests.Rules;

/// <summary>Hand-made positions, snapshots and checks shared by the rules tests.</summary>
internal static class TestGames
{
    /// <summary>A 32-byte seed (the server's size) that spells <paramref name="number"/> in its first 8 bytes: replayable tests.</summary>
    public static byte[] Seed(ulong number)
    {
        var seed = new byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(seed, number);
        return seed;
    }

    public static string[] Players(int count) => [.. Enumerable.Range(1, count).Select(i => $"p{i}")];

    public static Card ParseCard(string text) =>
        Card.TryParse(text, out var card) ? card : throw new ArgumentException($"not a card: {text}", nameof(text));

    /// <summary>Cards from wire texts separated by spaces, in the order given.</summary>
    public static List<Card> Cards(string texts) =>
        [.. texts.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseCard)];

    /// <summary>
    /// A position for players p1, p2, … holding <paramref name="hands"/>, p1 to move. Piles list their cards bottom
    /// first; the suit to follow is the top card's. Not a full deck: for tests of single moves.
    /// </summary>
    public static CrazyEightsGame Position(string discardPile, string stock, params string[] hands)
    {
        var players = Players(hands.Length);
        var game = new CrazyEightsGame
        {
            Players = [.. players],
            Hands = players.Zip(hands).ToDictionary(pair => pair.First, pair => Cards(pair.Second)),
            Stock = Cards(stock),
            DiscardPile = Cards(discardPile),
            Turn = players[0],
            Seed = Convert.ToHexStringLower(Seed(0x5EED)),
        };
        game.SuitToFollow = game.TopCard!.Value.Suit;
        return game;
    }

    /// <summary>Cards in the order of <see cref="Card.FullDeck"/>.</summary>
    public static List<Card> Sorted(IEnumerable<Card> cards) => [.. cards.OrderBy(card => (card.Suit, card.Rank))];

    public static string Snapshot(CrazyEightsGame game) => JsonSerializer.Serialize(game);

    /// <summary>Describes the first broken invariant of a dealt game, or null when there is none.</summary>
    public static string? FindBrokenInvariant(CrazyEightsGame game)
    {
        // Cheap enough to run after every step of thousands of games: one bit per card.
        var (seen, count, valid) = (0UL, 0, true);
        foreach (var card in game.Hands.Values.SelectMany(hand => hand).Concat(game.Stock).Concat(game.DiscardPile))
        {
            valid &= card.IsValid;
            seen |= 1UL << (((int)card.Suit * 13) + (int)card.Rank - 1);
            count++;
        }

        if (!valid || count != 52 || seen != (1UL << 52) - 1)
        {
            var all = game.Hands.Values.SelectMany(hand => hand).Concat(game.Stock).Concat(game.DiscardPile).ToList();
            var missing = Card.FullDeck.Except(all);
            var twice = all.GroupBy(card => card).Where(group => group.Count() > 1).Select(group => group.Key);
            return $"{all.Count} cards; missing [{string.Join(' ', missing)}], more than once [{string.Join(' ', twice)}]";
        }

        if (game.Players.Distinct().Count() != game.Players.Count || !game.Hands.Keys.ToHashSet().SetEquals(game.Players))
        {
            return $"players [{string.Join(' ', game.Players)}] but hands of [{string.Join(' ', game.Hands.Keys)}]";
        }

        if (game.TopCard is not { } top)
        {
            return "the discard pile is empty";
        }

        if (top.Rank != Rank.Eight && game.SuitToFollow != top.Suit)
        {
            return $"top card {top} but suit to follow {game.SuitToFollow}";
        }

        if (game.IsFinished)
        {
            return game.Turn is null ? null : $"won by {game.Winner} but {game.Turn} is to move";
        }

        if (game.Players.Count < CrazyEights.MinPlayers)
        {
            return $"still playing with {game.Players.Count} player(s)";
        }

        return game.Turn is not null && game.Players.Contains(game.Turn) ? null : $"turn {game.Turn ?? "null"} is not a player";
    }

    public static void AssertEveryCardOnce(CrazyEightsGame game)
    {
        var broken = FindBrokenInvariant(game);
        Assert.True(broken is null, broken);
    }

    /// <summary>
    /// One move by the player to move: usually a random legal card (an 8 names a random suit), otherwise a take.
    /// </summary>
    public static RuleResult PlayRandomMove(CrazyEightsGame game, Random random, double takeAnyway = 0.2)
    {
        var player = game.Turn ?? throw new InvalidOperationException("the game is finished");
        var legal = CrazyEights.LegalCards(game, player);
        if (legal.Count == 0 || random.NextDouble() < takeAnyway)
        {
            return CrazyEights.Take(game, player);
        }

        var card = legal[random.Next(legal.Count)];
        var suit = card.Rank == Rank.Eight ? SuitNames.ToWire((Suit)random.Next(4)) : null;
        return CrazyEights.Put(game, player, card.ToString(), suit);
    }

    /// <summary>Plays random legal moves until someone wins.</summary>
    public static void PlayToTheEnd(CrazyEightsGame game, Random random)
    {
        for (var move = 0; !game.IsFinished; move++)
        {
            Assert.True(move < 10_000, "the game did not end");
            Assert.True(PlayRandomMove(game, random).IsOk);
        }
    }
}
