using System.Collections.Immutable;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using Microsoft.Extensions.Time.Testing;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Fairness;

/// <summary>One game played at the table model with random legal moves (many takes, so the stock runs out), and some leaves.</summary>
internal sealed class PlayedGame
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
