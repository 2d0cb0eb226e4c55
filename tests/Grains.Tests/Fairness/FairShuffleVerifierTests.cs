using System.Collections.Immutable;
using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Fairness;

/// <summary>
/// The verifier every .NET client uses (the load tool's included), fed with the events the table model emits: honest
/// games verify for every player and for a spectator; a server that deals, reshuffles or reveals otherwise is caught.
/// </summary>
public sealed class FairShuffleVerifierTests(ITestOutputHelper output)
{
    private const string Spectator = "spectator";

    [Fact]
    public void Every_honest_game_verifies_for_each_player_and_a_spectator()
    {
        var (reshuffles, leaves, checks) = (0, 0, 0);
        for (var n = 0; n < 200; n++)
        {
            var game = PlayedGame.Play(n, players: 2 + n % 5);
            reshuffles += game.Reshuffles;
            leaves += game.Events.Count(e => e.Event.Kind == EventKinds.Left);
            foreach (var viewer in game.Seats.Append(Spectator))
            {
                var check = FairShuffleVerifier.Verify(game.Seats, game.As(viewer), viewer == Spectator ? null : viewer);
                Assert.True(check.Verified, $"game {n}, {viewer}: {check.Problem}");
                checks++;
            }
        }

        output.WriteLine($"{checks} checks of 200 games with {reshuffles} reshuffles and {leaves} leaves");
        Assert.True(reshuffles > 50 && leaves > 10, "the games did not reshuffle or leave enough to prove anything");
    }

    [Fact]
    public void A_stacked_deck_dealt_under_an_honest_commitment_fails_for_every_player()
    {
        // The server commits to a seed but deals the unshuffled deck.
        var game = PlayedGame.Play(1, players: 3, stack: (seats, seed) => CrazyEights.DealFrom(seats, Card.FullDeck, seed));

        foreach (var viewer in game.Seats.Append(Spectator))
        {
            var check = FairShuffleVerifier.Verify(game.Seats, game.As(viewer), viewer == Spectator ? null : viewer);
            Assert.False(check.Verified);
            Assert.Contains("the seed turns", check.Problem);
        }
    }

    [Fact]
    public void A_deal_from_another_seed_than_the_committed_and_revealed_one_fails()
    {
        var game = PlayedGame.Play(2, players: 4);
        var other = Seed(999);
        var events = game.As("p2")
            .Select(e => e with
            {
                DeckCommitment = e.DeckCommitment is null ? null : FairShuffle.Commitment(other),
                DeckSeed = e.DeckSeed is null ? null : FairShuffle.ToHex(other),
            })
            .ToList();

        var check = FairShuffleVerifier.Verify(game.Seats, events, "p2");

        Assert.False(check.Verified);
        Assert.Matches("the seed turns|the seed deals", check.Problem);
    }

    [Fact]
    public void A_revealed_seed_that_does_not_match_the_commitment_fails()
    {
        var game = PlayedGame.Play(3, players: 2);
        var events = game.As("p1");
        var seed = events[^1].DeckSeed!;
        events[^1] = events[^1] with { DeckSeed = (seed[0] == '0' ? "1" : "0") + seed[1..] };

        var check = FairShuffleVerifier.Verify(game.Seats, events, "p1");

        Assert.False(check.Verified);
        Assert.Contains("not the commitment", check.Problem);
    }

    [Fact]
    public void A_stock_reordered_after_a_reshuffle_fails_for_the_player_who_takes_from_it()
    {
        // The server reshuffles honestly, then swaps the top card of the new stock with the bottom one.
        var game = PlayedGame.Play(4, players: 2, afterReshuffle: stock => (stock[0], stock[^1]) = (stock[^1], stock[0]));
        Assert.True(game.Reshuffles > 0);
        var taker = game.FirstTakeAfterCheat!.PlayerId!;

        var check = FairShuffleVerifier.Verify(game.Seats, game.As(taker), taker);

        Assert.False(check.Verified);
        Assert.Contains("the seed gives", check.Problem);
    }

    [Fact]
    public void A_card_shown_taken_or_put_that_the_seed_did_not_give_fails()
    {
        var game = PlayedGame.Play(5, players: 3);
        var mine = game.As("p1");
        var take = mine.FindIndex(e => e.Kind == EventKinds.Took && e.PlayerId == "p1" && e.Card is not null);
        var put = mine.FindIndex(e => e.Kind == EventKinds.Put && e.PlayerId != "p1");
        Assert.True(take > 0 && put > 0);
        var notTaken = FairShuffle.Deck.First(card => card != mine[take].Card);
        var notInHand = mine.Where(e => e.Kind == EventKinds.Put && e.PlayerId == "p1").Select(e => e.Card!).First();

        var takenOther = mine.ToList();
        takenOther[take] = takenOther[take] with { Card = notTaken };
        var putOther = mine.ToList();
        putOther[put] = putOther[put] with { Card = notInHand };
        var handOther = mine.ToList();
        handOther[0] = handOther[0] with { Hand = [.. handOther[0].Hand!.Skip(1).Append(mine[0].Card!)] };

        Assert.Contains("the seed gives", FairShuffleVerifier.Verify(game.Seats, takenOther, "p1").Problem);
        Assert.Contains("did not put in that hand", FairShuffleVerifier.Verify(game.Seats, putOther, "p1").Problem);
        Assert.Contains("the seed deals", FairShuffleVerifier.Verify(game.Seats, handOther, "p1").Problem);
        Assert.True(FairShuffleVerifier.Verify(game.Seats, mine, "p1").Verified);
    }

    [Fact]
    public void An_incomplete_history_or_a_wrong_seat_order_is_not_verified()
    {
        var game = PlayedGame.Play(6, players: 3);
        var mine = game.As("p2");

        Assert.Contains("missing", FairShuffleVerifier.Verify(game.Seats, [.. mine.Where((_, i) => i != 3)], "p2").Problem);
        Assert.False(FairShuffleVerifier.Verify(game.Seats, mine.SkipLast(1).ToList(), "p2").Verified);
        Assert.False(FairShuffleVerifier.Verify([.. game.Seats.Reverse()], mine, "p2").Verified);
        Assert.Contains("no deckCommitment", FairShuffleVerifier.Verify(game.Seats, [mine[0] with { DeckCommitment = null }, .. mine.Skip(1)], "p2").Problem);
    }

    /// <summary>One game played at the table model with random legal moves (many takes, so the stock runs out), and some leaves.</summary>
    private sealed class PlayedGame
    {
        public required IReadOnlyList<string> Seats { get; init; }

        public required List<TableNotification> Events { get; init; }

        public int Reshuffles { get; init; }

        public TableEvent? FirstTakeAfterCheat { get; init; }

        /// <summary>The game's events as <paramref name="viewer"/> receives them.</summary>
        public List<TableEvent> As(string viewer) => [.. Events.Select(n => n.ForRecipient(viewer))];

        public static PlayedGame Play(int number, int players, Func<IReadOnlyList<string>, byte[], CrazyEightsGame>? stack = null, Action<List<Card>>? afterReshuffle = null)
        {
            var random = new Random(number);
            var table = new Table("r1", new TableState(), new GameOptions(), new FakeTimeProvider());
            table.Create("room", 6, "p1");
            foreach (var player in Players(players))
            {
                table.Join(new PlayerSnapshot(player, player));
            }

            table.Accept();
            var seed = Seed((ulong)number + 1000);
            Assert.True(table.Start("p1", seed).IsOk);
            var events = table.Pending.ToList();
            var seats = table.State.Game!.Players.ToList();
            if (stack is not null)
            {
                var stacked = table.State.Game = stack(seats, seed);
                events[0] = events[0] with
                {
                    Event = events[0].Event with { Card = stacked.TopCard.ToString() },
                    Hands = stacked.Hands.ToImmutableDictionary(h => h.Key, h => h.Value.Select(c => c.ToString()).ToImmutableArray()),
                };
            }

            table.Accept();
            TableEvent? firstTakeAfterCheat = null;
            var cheated = false;
            for (var step = 0; table.State.Phase == Phases.Playing; step++)
            {
                Assert.True(step < 5000, "the game did not end");
                var game = table.State.Game!;
                var turn = game.Turn!;
                if (random.NextDouble() < 0.01)
                {
                    table.Leave(game.Players[random.Next(game.Players.Count)]);
                }
                else if (CrazyEights.LegalCards(game, turn) is { Count: > 0 } legal && random.NextDouble() < 0.5)
                {
                    var card = legal[random.Next(legal.Count)];
                    Assert.True(table.Put(turn, card.ToString(), card.Rank == Rank.Eight ? "CDHS"[random.Next(4)].ToString() : null).IsOk);
                }
                else
                {
                    Assert.True(table.Take(turn).IsOk);
                    if (cheated && firstTakeAfterCheat is null)
                    {
                        firstTakeAfterCheat = table.Pending[0].Event;
                    }

                    if (afterReshuffle is not null && !cheated && game.Reshuffles > 0 && game.Stock.Count > 1)
                    {
                        afterReshuffle(game.Stock);
                        cheated = true;
                    }
                }

                events.AddRange(table.Pending);
                table.Accept();
            }

            return new PlayedGame { Seats = seats, Events = events, Reshuffles = table.State.Game!.Reshuffles, FirstTakeAfterCheat = firstTakeAfterCheat };
        }
    }
}
