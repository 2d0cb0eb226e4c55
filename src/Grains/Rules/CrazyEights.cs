using CardGame.Contracts.Fairness;
using CardGame.Contracts.Protocol;

namespace CardGame.Grains.Rules;

/// <summary>
/// The rules of Crazy Eights (shared/protocol.md). Every move validates completely before it changes anything, so a
/// rejected move leaves the game exactly as it was.
/// </summary>
public static class CrazyEights
{
    public const int MinPlayers = 2;
    public const int MaxPlayers = 6;

    /// <summary>Cards dealt to each player: 7 for two players, 5 for three to six.</summary>
    public static int HandSize(int playerCount) => playerCount == 2 ? 7 : 5;

    /// <summary>
    /// Shuffles a full deck with <paramref name="seed"/> (the fair shuffle, docs/fair-shuffle.md) and deals it to 2–6
    /// distinct players. The seed stays with the game for its reshuffles and is revealed only when it is over.
    /// </summary>
    public static CrazyEightsGame Deal(IReadOnlyList<string> playerIds, byte[] seed)
    {
        CheckPlayers(playerIds);
        CheckSeed(seed);
        var deck = Card.FullDeck.ToList();
        FairShuffle.Shuffle(deck, seed, FairShuffle.DealLabel);
        return DealFromTop(playerIds, deck, seed);
    }

    /// <summary>
    /// Deals a deck in the given order (index 0 = bottom, last = top, like <see cref="CrazyEightsGame.Stock"/>): one
    /// card at a time round the table from the top, first player first, then the top card starts the discard pile.
    /// For tests that need a stacked deck; <paramref name="seed"/> drives the later reshuffles.
    /// </summary>
    public static CrazyEightsGame DealFrom(IReadOnlyList<string> playerIds, IReadOnlyList<Card> deck, byte[] seed)
    {
        CheckPlayers(playerIds);
        CheckSeed(seed);
        ArgumentNullException.ThrowIfNull(deck);
        if (deck.Count != Card.FullDeck.Count || !deck.ToHashSet().SetEquals(Card.FullDeck))
        {
            throw new ArgumentException("the deck must hold each of the 52 cards once", nameof(deck));
        }

        return DealFromTop(playerIds, deck.ToList(), seed);
    }

    /// <summary>Puts <paramref name="card"/> (wire text such as "10H") on the discard pile; an 8 needs <paramref name="suit"/>.</summary>
    public static RuleResult Put(CrazyEightsGame game, string playerId, string? card, string? suit)
    {
        ArgumentNullException.ThrowIfNull(game);
        if (CheckTurn(game, playerId) is { } rejected)
        {
            return rejected;
        }

        if (!Card.TryParse(card, out var put))
        {
            return RuleResult.Reject(ErrorCodes.BadRequest,
                card is null ? "which card? e.g. 10H, QS, 8C" : $"{Quote(card)} is not a card (e.g. 10H, QS, 8C)");
        }

        if (!game.Hands.TryGetValue(playerId, out var hand) || !hand.Contains(put))
        {
            return RuleResult.Reject(ErrorCodes.CardNotInHand, $"{put} is not in your hand");
        }

        Suit suitToFollow;
        if (put.Rank == Rank.Eight)
        {
            if (string.IsNullOrEmpty(suit))
            {
                return RuleResult.Reject(ErrorCodes.SuitRequired, "an 8 needs the suit to follow: C, D, H or S");
            }

            if (!SuitNames.TryParse(suit, out suitToFollow))
            {
                return RuleResult.Reject(ErrorCodes.BadRequest, $"{Quote(suit)} is not a suit: C, D, H or S");
            }
        }
        else
        {
            if (!string.IsNullOrEmpty(suit))
            {
                return RuleResult.Reject(ErrorCodes.BadRequest, "only an 8 names a suit");
            }

            if (!IsLegal(game, put))
            {
                return RuleResult.Reject(ErrorCodes.IllegalCard,
                    $"{put} matches neither the rank of {game.TopCard} nor the suit to follow ({SuitNames.ToWire(game.SuitToFollow)})");
            }

            suitToFollow = put.Suit;
        }

        hand.Remove(put);
        game.DiscardPile.Add(put);
        game.SuitToFollow = suitToFollow;
        if (hand.Count == 0)
        {
            game.Winner = playerId;
            game.Turn = null;
        }
        else
        {
            game.Turn = NextAfter(game, game.Players.IndexOf(playerId));
        }

        return new RuleResult(null, Card: put);
    }

    /// <summary>Takes the top card of the stock and ends the turn.</summary>
    public static RuleResult Take(CrazyEightsGame game, string playerId)
    {
        ArgumentNullException.ThrowIfNull(game);
        if (CheckTurn(game, playerId) is { } rejected)
        {
            return rejected;
        }

        var reshuffled = false;
        if (game.Stock.Count == 0 && game.DiscardPile.Count > 1)
        {
            var below = game.DiscardPile.Count - 1;
            game.Stock.AddRange(game.DiscardPile.GetRange(0, below));
            game.DiscardPile.RemoveRange(0, below);
            Reshuffle(game);
            reshuffled = true;
        }

        var next = NextAfter(game, game.Players.IndexOf(playerId));
        if (game.Stock.Count == 0)
        {
            game.Turn = next;
            return new RuleResult(null, Passed: true);
        }

        var taken = game.Stock[^1];
        game.Stock.RemoveAt(game.Stock.Count - 1);
        HandOf(game, playerId).Add(taken);
        game.Turn = next;
        return new RuleResult(null, Card: taken, Reshuffled: reshuffled);
    }

    /// <summary>
    /// Removes a player; their cards go to the bottom of the stock. During a game their turn passes on, and with fewer
    /// than two players left the one remaining wins. From a finished game the player is only removed.
    /// </summary>
    public static RuleResult Leave(CrazyEightsGame game, string playerId)
    {
        ArgumentNullException.ThrowIfNull(game);
        var seat = game.Players.IndexOf(playerId);
        if (seat < 0)
        {
            return RuleResult.Reject(ErrorCodes.NotSeated, "you are not in this game");
        }

        // Also after the end, so the 52 cards stay accounted for.
        if (game.Hands.Remove(playerId, out var hand))
        {
            game.Stock.InsertRange(0, hand);
        }

        game.Players.RemoveAt(seat);
        if (game.IsFinished)
        {
            return RuleResult.Ok;
        }

        if (game.Players.Count < MinPlayers)
        {
            game.Winner = game.Players.Count > 0 ? game.Players[0] : null;
            game.Turn = null;
        }
        else if (game.Turn == playerId)
        {
            // The next player in seat order now sits where the leaver sat.
            game.Turn = game.Players[seat % game.Players.Count];
        }

        return RuleResult.Ok;
    }

    /// <summary>Whether <paramref name="card"/> may be put now, whoever holds it: an 8, the top card's rank, or the suit to follow.</summary>
    public static bool IsLegal(CrazyEightsGame game, Card card)
    {
        ArgumentNullException.ThrowIfNull(game);
        return card.Follows(game.TopCard, game.SuitToFollow);
    }

    /// <summary>The cards of <paramref name="playerId"/>'s hand that could be put now (empty if not in the game).</summary>
    public static IReadOnlyList<Card> LegalCards(CrazyEightsGame game, string playerId)
    {
        ArgumentNullException.ThrowIfNull(game);
        return game.Hands.TryGetValue(playerId, out var hand) ? [.. hand.Where(card => IsLegal(game, card))] : [];
    }

    /// <summary>
    /// Shuffles the stock (just refilled from the discard pile) with the game's seed and the reshuffle's number. A game
    /// dealt before the fair shuffle has no seed and goes on with the generator it was dealt with.
    /// </summary>
    private static void Reshuffle(CrazyEightsGame game)
    {
        if (game.Seed is { } seed)
        {
            game.Reshuffles++;
            FairShuffle.Shuffle(game.Stock, Convert.FromHexString(seed), FairShuffle.ReshuffleLabel(game.Reshuffles));
            return;
        }

        var rngState = game.RngState;
        SplitMix64.Shuffle(game.Stock, ref rngState);
        game.RngState = rngState;
    }

    private static CrazyEightsGame DealFromTop(IReadOnlyList<string> playerIds, List<Card> stock, byte[] seed)
    {
        var game = new CrazyEightsGame { Players = [.. playerIds], Seed = FairShuffle.ToHex(seed) };
        foreach (var player in playerIds)
        {
            game.Hands[player] = [];
        }

        for (var round = 0; round < HandSize(playerIds.Count); round++)
        {
            foreach (var player in playerIds)
            {
                game.Hands[player].Add(stock[^1]);
                stock.RemoveAt(stock.Count - 1);
            }
        }

        // An 8 turned up is buried at the bottom and the next card turned. At least 21 cards remain and only four are
        // eights, so this ends.
        while (stock[^1].Rank == Rank.Eight)
        {
            stock.Insert(0, stock[^1]);
            stock.RemoveAt(stock.Count - 1);
        }

        var first = stock[^1];
        stock.RemoveAt(stock.Count - 1);
        game.DiscardPile.Add(first);
        game.Stock = stock;
        game.SuitToFollow = first.Suit;
        game.Turn = playerIds[0];
        return game;
    }

    private static void CheckPlayers(IReadOnlyList<string> playerIds)
    {
        ArgumentNullException.ThrowIfNull(playerIds);
        if (playerIds.Count is < MinPlayers or > MaxPlayers)
        {
            throw new ArgumentException($"a game needs {MinPlayers} to {MaxPlayers} players, not {playerIds.Count}", nameof(playerIds));
        }

        if (playerIds.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("a player id must not be null or empty", nameof(playerIds));
        }

        if (playerIds.Distinct(StringComparer.Ordinal).Count() != playerIds.Count)
        {
            throw new ArgumentException("the player ids must be distinct", nameof(playerIds));
        }
    }

    private static void CheckSeed(byte[] seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (seed.Length < FairShuffle.MinSeedBytes)
        {
            throw new ArgumentException($"a seed has at least {FairShuffle.MinSeedBytes} bytes, not {seed.Length}", nameof(seed));
        }
    }

    private static RuleResult? CheckTurn(CrazyEightsGame game, string playerId)
    {
        if (game.IsFinished)
        {
            return RuleResult.Reject(ErrorCodes.GameNotStarted, "the game is over; start a new one");
        }

        if (!game.Players.Contains(playerId))
        {
            return RuleResult.Reject(ErrorCodes.NotSeated, "you are not in this game");
        }

        return game.Turn == playerId ? null : RuleResult.Reject(ErrorCodes.NotYourTurn, $"it is {game.Turn}'s turn");
    }

    private static List<Card> HandOf(CrazyEightsGame game, string playerId)
    {
        if (!game.Hands.TryGetValue(playerId, out var hand))
        {
            hand = [];
            game.Hands[playerId] = hand;
        }

        return hand;
    }

    private static string NextAfter(CrazyEightsGame game, int seat) => game.Players[(seat + 1) % game.Players.Count];

    // Echo at most a little of what a client sent.
    private static string Quote(string text) => text.Length <= 12 ? $"'{text}'" : $"'{text[..12]}…'";
}
