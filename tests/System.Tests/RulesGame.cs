using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using CardGame.Grains;

namespace CardGame.SystemTests;

/// <summary>A whole game played at the server's own table model (no cluster): its seat order and every event it emitted.</summary>
internal static class RulesGame
{
    public static (IReadOnlyList<string> Seats, List<TableNotification> Events) Play(int players, Random random)
    {
        var table = new Table("r1", new TableState(), new GameOptions(), TimeProvider.System);
        table.Create("room", 6, "p1");
        for (var p = 1; p <= players; p++)
        {
            table.Join(new PlayerSnapshot($"p{p}", $"p{p}"));
        }

        table.Accept();
        table.Start("p1", FairShuffle.NewSeed());
        var seats = table.State.Game!.Players.ToList();
        for (var move = 0; table.State.Phase == Phases.Playing; move++)
        {
            Assert.True(move < 3000, "the game did not end");
            var turn = table.State.Game.Turn!;
            var view = table.View(turn);
            // Takes now and then although a card fits, so the stock runs out and reshuffles too.
            var result = random.Next(3) > 0 && MoveChooser.ChoosePut(view) is { } put ? table.Put(turn, put.Card, put.Suit) : table.Take(turn);
            Assert.True(result.IsOk, result.Error?.ToString());
        }

        return (seats, [.. table.Pending]);
    }

    /// <summary>The events as <paramref name="viewer"/> receives them.</summary>
    public static List<TableEvent> As(List<TableNotification> events, string viewer) => [.. events.Select(n => n.ForRecipient(viewer))];
}
