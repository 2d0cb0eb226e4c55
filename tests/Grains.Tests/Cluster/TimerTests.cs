using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;

namespace CardGame.Grains.Tests.Cluster;

[Collection(FastTimersCollection.Name)]
public sealed class TimerTests(FastTimersClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    /// <summary>Moves and views go straight to the table as the player, as the edge sends them.</summary>
    private ITableGrain Table(string roomId) => Grains.GetGrain<ITableGrain>(roomId);

    [Fact]
    public async Task When_the_turn_times_out_the_server_takes_a_card_for_the_player()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var observer = new RecordingObserver();
        var reference = Grains.CreateObjectReference<ITableObserver>(observer);
        await Table(roomId).Subscribe("edge-t", reference);
        var started = (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Value!;

        await observer.WaitForSeqAsync(started.Seq + 1, TimeSpan.FromSeconds(10));

        var auto = observer.Received.Single(n => n.Event.Seq == started.Seq + 1).Event;
        Assert.Equal(EventKinds.Took, auto.Kind);
        Assert.True(auto.Auto);
        Assert.Equal(started.Turn, auto.PlayerId);
        Assert.NotEqual(started.Turn, auto.Turn);
        var view = (await Table(roomId).GetView(players[0].GetPrimaryKeyString())).Value!;
        Assert.True(view.Players.Single(p => p.PlayerId == started.Turn).HandCount >= 8);
    }

    [Fact]
    public async Task A_disconnected_player_keeps_the_seat_for_the_hold_then_leaves_and_the_other_wins()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        await players[0].SetConnections("edge-x", 1);
        await players[0].SetConnections("edge-x", 0);

        var held = (await Table(roomId).GetView(players[1].GetPrimaryKeyString())).Value!;
        Assert.False(held.Players.Single(p => p.PlayerId == players[0].GetPrimaryKeyString()).Connected);
        Assert.Equal(2, held.Players.Count);

        await TableGrainTests.WaitForAsync(async () => (await Table(roomId).GetView(players[1].GetPrimaryKeyString())).Value!.Players.Count == 1);
        Assert.Null((await players[0].SignIn("player0")).RoomId);
    }

    [Fact]
    public async Task A_player_who_leaves_mid_game_hands_the_win_to_the_last_one_seated()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        await players[0].SetConnections("edge-y", 1);
        await players[0].SetConnections("edge-y", 0);

        await TableGrainTests.WaitForAsync(async () => (await Table(roomId).GetView(players[1].GetPrimaryKeyString())).Value!.Phase == Phases.Finished);
        var view = (await Table(roomId).GetView(players[1].GetPrimaryKeyString())).Value!;
        Assert.Equal(players[1].GetPrimaryKeyString(), view.Winner);
    }

    [Fact]
    public async Task An_edge_that_stops_reporting_counts_as_gone_after_the_lease()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        await players[0].SetConnections("edge-z", 1);

        await TableGrainTests.WaitForAsync(async () =>
            !(await Table(roomId).GetView(players[1].GetPrimaryKeyString())).Value!.Players.Single(p => p.PlayerId == players[0].GetPrimaryKeyString()).Connected);
    }

    [Fact]
    public async Task A_room_nobody_joins_closes_after_the_empty_room_time_and_leaves_the_room_list()
    {
        var creator = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        await creator.SignIn("creator");
        var rooms = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            rooms.Add((await creator.CreateRoom($"empty {i}", 4)).Value!.RoomId);
        }

        Assert.Equal(ErrorCodes.LimitReached, (await creator.CreateRoom("fourth", 4)).Error?.Code);
        var list = Grains.GetGrain<IRoomListGrain>(0);
        await TableGrainTests.WaitForAsync(async () => (await list.List()).Count(r => rooms.Contains(r.RoomId)) == 3);

        // Game:EmptyRoomSeconds is 2 here.
        await TableGrainTests.WaitForAsync(async () => !(await list.List()).Any(r => rooms.Contains(r.RoomId)));
        var joiner = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        Assert.All(await Task.WhenAll(rooms.Select(joiner.JoinRoom)), r => Assert.Equal(ErrorCodes.RoomNotFound, r.Error?.Code));
        Assert.True((await creator.CreateRoom("again", 4)).IsOk);
    }
}
