using System.Globalization;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using Xunit.Abstractions;
using Xunit.Sdk;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Rules;

/// <summary>
/// Plays thousands of random games (legal moves, takes, rejected attempts, leaves) and checks the invariants after
/// every step. Replay a failing run with the printed seed: CARDGAME_RULES_SEED=&lt;seed&gt; dotnet test.
/// </summary>
public sealed class RandomGamesTests(ITestOutputHelper output)
{
    private const string SeedVariable = "CARDGAME_RULES_SEED";
    private const int Games = 2000;

    // Far above what random play needs (see the longest game printed), low enough to catch a game that never ends.
    private const int MaxSteps = 3000;

    // How often a player takes although they could put: high rates fill the hands and empty both piles.
    private static readonly double[] TakeRates = [0.05, 0.15, 0.4];

    private static readonly string[] NotCards = ["", "xx", "1H", "11C", "8", "8c", "10h", " 8C", "QS ", "8HH", "ZZZZZZZZZZZZZZZZZZZZ"];

    [Fact]
    public void Random_games_keep_every_card_exactly_once_and_end()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay: {SeedVariable}={seed})");
        var master = new Random(seed);
        var stats = new Stats();

        for (var i = 0; i < Games; i++)
        {
            var gameSeed = master.Next();
            try
            {
                PlayOne(gameSeed, stats);
            }
            catch (Exception e)
            {
                throw new XunitException($"run seed {seed}, game {i} (seed {gameSeed}): {e.Message}", e);
            }
        }

        output.WriteLine($"{Games} games, {stats.Steps} steps (longest game {stats.LongestGame}), {stats.Rejections} rejections, " +
            $"{stats.Leaves} leaves, {stats.Wins} won by emptying a hand, {stats.Reshuffles} reshuffles, {stats.Passes} passes");
        Assert.True(stats.Reshuffles > 0 && stats.Leaves > 0 && stats.Wins > 0 && stats.Rejections > 0, "the random play missed a part of the rules");
    }

    private static void PlayOne(int gameSeed, Stats stats)
    {
        var random = new Random(gameSeed);
        var game = CrazyEights.Deal(Players(random.Next(CrazyEights.MinPlayers, CrazyEights.MaxPlayers + 1)), Seed((ulong)random.NextInt64()));
        var takeAnyway = TakeRates[random.Next(TakeRates.Length)];
        Check(game, "the deal");

        for (var step = 1; step <= MaxSteps; step++)
        {
            stats.Steps++;
            var roll = random.NextDouble();
            object what; // formatted only when a check fails
            if (roll < 0.25)
            {
                what = TryRejected(game, random, stats);
            }
            else if (roll < 0.26)
            {
                var leaver = game.Players[random.Next(game.Players.Count)];
                what = $"{leaver} leaves";
                Expect(CrazyEights.Leave(game, leaver).IsOk, step, what);
                stats.Leaves++;
            }
            else
            {
                var (stockEmpty, onlyTopCard) = (game.Stock.Count == 0, game.DiscardPile.Count == 1);
                var result = PlayRandomMove(game, random, takeAnyway);
                what = result;
                Expect(result.IsOk, step, what);
                var took = result.Passed || game.TopCard != result.Card;
                Expect(result.Reshuffled == (took && stockEmpty && !onlyTopCard), step, what, "reshuffled when it should not or the other way round");
                Expect(result.Passed == (took && stockEmpty && onlyTopCard), step, what, "passed when it should not or the other way round");
                stats.Reshuffles += result.Reshuffled ? 1 : 0;
                stats.Passes += result.Passed ? 1 : 0;
                stats.Wins += game.IsFinished ? 1 : 0;
            }

            if (FindBrokenInvariant(game) is { } broken)
            {
                throw new XunitException($"after step {step} ({what}): {broken}");
            }

            if (game.IsFinished)
            {
                stats.LongestGame = Math.Max(stats.LongestGame, step);
                AfterTheEnd(game, random);
                return;
            }
        }

        throw new XunitException($"the game did not end within {MaxSteps} steps");
    }

    /// <summary>Makes one move that must be rejected with a known code and change nothing.</summary>
    private static string TryRejected(CrazyEightsGame game, Random random, Stats stats)
    {
        var player = game.Turn!;
        var hand = game.Hands[player];
        var other = game.Players[(game.Players.IndexOf(player) + 1 + random.Next(game.Players.Count - 1)) % game.Players.Count];
        var suit = SuitNames.ToWire((Suit)random.Next(4));
        List<Card> HandWhere(Func<Card, bool> predicate) => [.. hand.Where(predicate)];

        (string Code, Func<RuleResult> Move, string What)? attempt = random.Next(11) switch
        {
            0 => (ErrorCodes.NotSeated, () => CrazyEights.Put(game, "ghost", Pick(hand, random).ToString(), null), "ghost puts"),
            1 => (ErrorCodes.NotSeated, () => CrazyEights.Take(game, "ghost"), "ghost takes"),
            2 => (ErrorCodes.NotSeated, () => CrazyEights.Leave(game, "ghost"), "ghost leaves"),
            3 => (ErrorCodes.NotYourTurn, () => CrazyEights.Put(game, other, Pick(game.Hands[other], random).ToString(), suit), $"{other} puts out of turn"),
            4 => (ErrorCodes.NotYourTurn, () => CrazyEights.Take(game, other), $"{other} takes out of turn"),
            5 => (ErrorCodes.BadRequest, () => CrazyEights.Put(game, player, NotCards[random.Next(NotCards.Length)], suit), "not a card"),
            6 => (ErrorCodes.CardNotInHand, () => CrazyEights.Put(game, player, NotHeld(hand, random).ToString(), suit), "card not held"),
            7 when HandWhere(card => card.Rank == Rank.Eight) is { Count: > 0 } eights =>
                (ErrorCodes.SuitRequired, () => CrazyEights.Put(game, player, Pick(eights, random).ToString(), null), "8 without a suit"),
            8 when HandWhere(card => card.Rank == Rank.Eight) is { Count: > 0 } eights =>
                (ErrorCodes.BadRequest, () => CrazyEights.Put(game, player, Pick(eights, random).ToString(), "X"), "8 with a bad suit"),
            9 when HandWhere(card => card.Rank != Rank.Eight) is { Count: > 0 } others =>
                (ErrorCodes.BadRequest, () => CrazyEights.Put(game, player, Pick(others, random).ToString(), suit), "suit with a non-8"),
            10 when HandWhere(card => !CrazyEights.IsLegal(game, card)) is { Count: > 0 } illegal =>
                (ErrorCodes.IllegalCard, () => CrazyEights.Put(game, player, Pick(illegal, random).ToString(), null), "illegal card"),
            _ => null,
        };
        if (attempt is not var (code, move, what))
        {
            return "no rejection to try";
        }

        stats.Rejections++;
        var before = Snapshot(game);
        var result = move();
        if (result.Error?.Code != code || Snapshot(game) != before)
        {
            throw new XunitException($"{what}: expected {code} and no change, got {result} and {Snapshot(game)} from {before}");
        }

        return what;
    }

    /// <summary>A finished game refuses moves; players may still leave it.</summary>
    private static void AfterTheEnd(CrazyEightsGame game, Random random)
    {
        var before = Snapshot(game);
        var player = game.Players[random.Next(game.Players.Count)];
        Assert.Equal(ErrorCodes.GameNotStarted, CrazyEights.Take(game, player).Error?.Code);
        Assert.Equal(ErrorCodes.GameNotStarted, CrazyEights.Put(game, player, Pick(game.Hands[player], random).ToString(), null).Error?.Code);
        Assert.Equal(before, Snapshot(game));

        if (random.Next(4) == 0)
        {
            var winner = game.Winner;
            Assert.True(CrazyEights.Leave(game, player).IsOk);
            Assert.Equal(winner, game.Winner);
            Check(game, $"{player} leaves the finished game");
        }
    }

    // The winner's hand is empty: any card will do for a move that must be refused anyway.
    private static Card Pick(List<Card> cards, Random random) =>
        cards.Count == 0 ? new Card(Rank.Ace, Suit.Spades) : cards[random.Next(cards.Count)];

    private static Card NotHeld(List<Card> hand, Random random)
    {
        while (true)
        {
            var card = Card.FullDeck[random.Next(Card.FullDeck.Count)];
            if (!hand.Contains(card))
            {
                return card;
            }
        }
    }

    private static void Expect(bool condition, int step, object what, string problem = "rejected")
    {
        if (!condition)
        {
            throw new XunitException($"step {step} ({what}): {problem}");
        }
    }

    private static void Check(CrazyEightsGame game, string after)
    {
        if (FindBrokenInvariant(game) is { } broken)
        {
            throw new XunitException($"after {after}: {broken}");
        }
    }

    private sealed class Stats
    {
        public long Steps { get; set; }
        public int LongestGame { get; set; }
        public int Rejections { get; set; }
        public int Leaves { get; set; }
        public int Wins { get; set; }
        public int Reshuffles { get; set; }
        public int Passes { get; set; }
    }
}
