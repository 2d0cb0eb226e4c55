using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Orleans.TestingHost;

namespace CardGame.Grains.Tests.Cluster;

public sealed class StorageFaultTests(FaultInjectionClusterFixture fixture) : IClassFixture<FaultInjectionClusterFixture>
{
    private IGrainFactory Grains => fixture.Grains;

    /// <summary>Moves and views go straight to the table as the player, as the edge sends them.</summary>
    private ITableGrain Table(string roomId) => Grains.GetGrain<ITableGrain>(roomId);

    [Fact]
    public async Task A_move_whose_write_fails_is_not_acknowledged_and_memory_matches_storage_afterwards()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var started = (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Value!;
        var mover = players.Single(p => p.GetPrimaryKeyString() == started.Turn);
        var before = (await Table(roomId).GetView(mover.GetPrimaryKeyString())).Value!;

        await Faults.AddFaultOnWrite(TableId(roomId), new InvalidOperationException("injected write fault"));
        await Assert.ThrowsAnyAsync<Exception>(() => Table(roomId).Take(mover.GetPrimaryKeyString()));

        var after = (await Table(roomId).GetView(mover.GetPrimaryKeyString())).Value!;
        Assert.Equal(before.Seq, after.Seq);
        Assert.Equal(before.Hand, after.Hand);
        Assert.Equal(before.StockCount, after.StockCount);
        Assert.Equal(before.Turn, after.Turn);

        // Memory and storage agree: the next move applies on top of the stored state, once.
        var took = await Table(roomId).Take(mover.GetPrimaryKeyString());
        Assert.True(took.IsOk, took.Error?.Text);
        Assert.Equal(before.Seq + 1, took.Value!.Seq);
        Assert.Equal(before.Hand!.Count + 1, took.Value.Hand!.Count);
    }

    [Fact]
    public async Task When_even_the_reload_fails_the_table_is_reactivated_from_storage()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var started = (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Value!;
        var mover = players.Single(p => p.GetPrimaryKeyString() == started.Turn);

        await Faults.AddFaultOnWrite(TableId(roomId), new InvalidOperationException("injected write fault"));
        await Faults.AddFaultOnRead(TableId(roomId), new InvalidOperationException("injected read fault"));
        await Assert.ThrowsAnyAsync<Exception>(() => Table(roomId).Take(mover.GetPrimaryKeyString()));

        var view = await RetryAsync(async () => (await Table(roomId).GetView(mover.GetPrimaryKeyString())).Value!);
        Assert.Equal(started.Seq, view.Seq);
        Assert.Equal(started.Hand, view.Hand);
    }

    [Fact]
    public async Task A_join_whose_player_write_fails_seats_nobody_and_the_player_can_sit_elsewhere()
    {
        var (first, _) = await GameDriver.SeatPlayersAsync(Grains, 1);
        var (second, _) = await GameDriver.SeatPlayersAsync(Grains, 1);
        var player = await SignedInAsync("ann");

        await PlayerFaults.AddFaultOnWrite(player.GetGrainId(), new InvalidOperationException("injected write fault"));
        await Assert.ThrowsAnyAsync<Exception>(() => player.JoinRoom(first));

        // Not acknowledged, so not seated: the table holds no seat for the player.
        Assert.False(await Table(first).IsSeated(player.GetPrimaryKeyString()));
        var joined = await player.JoinRoom(second);
        Assert.True(joined.IsOk, joined.Error?.Text);
        Assert.Equal(second, (await player.SignIn("ann")).RoomId);
        Assert.Equal(ErrorCodes.AlreadySeated, (await player.JoinRoom(first)).Error?.Code);
    }

    [Fact]
    public async Task A_join_that_ran_but_whose_answer_was_lost_keeps_the_player_from_sitting_at_a_second_table()
    {
        var (first, _) = await GameDriver.SeatPlayersAsync(Grains, 1);
        var (second, _) = await GameDriver.SeatPlayersAsync(Grains, 1);
        var player = await SignedInAsync("bob");

        LostAnswers.LoseNextAnswer(Table(first).GetGrainId(), nameof(ITableGrain.Join));
        await Assert.ThrowsAnyAsync<TimeoutException>(() => player.JoinRoom(first));

        // The table seated the player; the player grain must know it without having heard the answer.
        Assert.True(await Table(first).IsSeated(player.GetPrimaryKeyString()));
        Assert.Equal(first, (await player.SignIn("bob")).RoomId);
        Assert.Equal(ErrorCodes.AlreadySeated, (await player.JoinRoom(second)).Error?.Code);
        Assert.False(await Table(second).IsSeated(player.GetPrimaryKeyString()));
        Assert.Equal(first, (await player.QuickPlay(null)).Value!.RoomId);
    }

    [Fact]
    public async Task A_quick_play_that_ran_but_whose_answer_was_lost_keeps_the_player_from_sitting_at_a_second_table()
    {
        var opener = await SignedInAsync("opener");
        var opened = await opener.QuickPlay(2);
        Assert.True(opened.IsOk, opened.Error?.Text);
        var (other, _) = await GameDriver.SeatPlayersAsync(Grains, 1);
        var player = await SignedInAsync("cat");

        LostAnswers.LoseNextAnswer(Table(opened.Value!.RoomId).GetGrainId(), nameof(ITableGrain.Join));
        await Assert.ThrowsAnyAsync<TimeoutException>(() => player.QuickPlay(2));

        // The join ran (the 2-seat quick-play room filled and dealt) though its answer never came.
        var view = (await Table(opened.Value.RoomId).GetView(player.GetPrimaryKeyString())).Value!;
        Assert.Equal(Phases.Playing, view.Phase);
        Assert.Contains(view.Players, p => p.PlayerId == player.GetPrimaryKeyString());
        Assert.Equal(opened.Value.RoomId, (await player.SignIn("cat")).RoomId);
        Assert.Equal(ErrorCodes.AlreadySeated, (await player.JoinRoom(other)).Error?.Code);
        Assert.Equal(opened.Value.RoomId, (await player.QuickPlay(2)).Value!.RoomId);
    }

    private async Task<IPlayerGrain> SignedInAsync(string name)
    {
        var player = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        await player.SignIn(name);
        return player;
    }

    private IStorageFaultGrain PlayerFaults => Grains.GetGrain<IStorageFaultGrain>("player");

    private IStorageFaultGrain Faults => Grains.GetGrain<IStorageFaultGrain>("table"); // keyed by the state name

    private GrainId TableId(string roomId) => Grains.GetGrain<ITableGrain>(roomId).GetGrainId();

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
