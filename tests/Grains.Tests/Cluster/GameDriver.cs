using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>Plays through the grains the way an edge does: membership through player grains, moves and views straight to the table.</summary>
internal static class GameDriver
{
    public static async Task<(string RoomId, IPlayerGrain[] Players)> SeatPlayersAsync(IGrainFactory grains, int count, int seats = 4)
    {
        var players = Enumerable.Range(0, count).Select(i => grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}")).ToArray();
        for (var i = 0; i < players.Length; i++)
        {
            await players[i].SignIn($"player{i}");
        }

        var created = await players[0].CreateRoom("test room", seats);
        Assert.True(created.IsOk, created.Error?.Text);
        var roomId = created.Value!.RoomId;
        foreach (var player in players)
        {
            var joined = await player.JoinRoom(roomId);
            Assert.True(joined.IsOk, joined.Error?.Text);
        }

        return (roomId, players);
    }

    /// <summary>Plays one move for whoever's turn it is. Returns the mover's view after the move.</summary>
    public static async Task<TableView> PlayOneMoveAsync(IGrainFactory grains, string roomId)
    {
        var any = await grains.GetGrain<ITableGrain>(roomId).GetView("observer");
        var turn = any.Value!.Turn ?? throw new InvalidOperationException("no one's turn");
        var mover = grains.GetGrain<IPlayerGrain>(turn);
        var view = (await grains.GetGrain<ITableGrain>(roomId).GetView(mover.GetPrimaryKeyString())).Value!;
        var put = MoveChooser.ChoosePut(view);
        var result = put is { } move ? await grains.GetGrain<ITableGrain>(roomId).Put(mover.GetPrimaryKeyString(), move.Card, move.Suit) : await grains.GetGrain<ITableGrain>(roomId).Take(mover.GetPrimaryKeyString());
        Assert.True(result.IsOk, $"{result.Error?.Code}: {result.Error?.Text}");
        return result.Value!;
    }

    public static async Task<TableView> PlayToEndAsync(IGrainFactory grains, string roomId, int maxMoves = 2000)
    {
        for (var i = 0; i < maxMoves; i++)
        {
            var view = await PlayOneMoveAsync(grains, roomId);
            if (view.Phase == Phases.Finished)
            {
                return view;
            }
        }

        throw new InvalidOperationException($"the game did not end within {maxMoves} moves");
    }
}
