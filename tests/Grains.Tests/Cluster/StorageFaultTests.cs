using CardGame.Contracts.Grains;
using CardGame.TestSupport;
using Orleans.TestingHost;

namespace CardGame.Grains.Tests.Cluster;

public sealed class StorageFaultTests(FaultInjectionClusterFixture fixture) : IClassFixture<FaultInjectionClusterFixture>
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_move_whose_write_fails_is_not_acknowledged_and_memory_matches_storage_afterwards()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var started = (await players[0].StartGame(roomId)).Value!;
        var mover = players.Single(p => p.GetPrimaryKeyString() == started.Turn);
        var before = (await mover.GetTable(roomId)).Value!;

        await Faults.AddFaultOnWrite(TableId(roomId), new InvalidOperationException("injected write fault"));
        await Assert.ThrowsAnyAsync<Exception>(() => mover.TakeCard(roomId));

        var after = (await mover.GetTable(roomId)).Value!;
        Assert.Equal(before.Seq, after.Seq);
        Assert.Equal(before.Hand, after.Hand);
        Assert.Equal(before.StockCount, after.StockCount);
        Assert.Equal(before.Turn, after.Turn);

        // Memory and storage agree: the next move applies on top of the stored state, once.
        var took = await mover.TakeCard(roomId);
        Assert.True(took.IsOk, took.Error?.Text);
        Assert.Equal(before.Seq + 1, took.Value!.Seq);
        Assert.Equal(before.Hand!.Count + 1, took.Value.Hand!.Count);
    }

    [Fact]
    public async Task When_even_the_reload_fails_the_table_is_reactivated_from_storage()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var started = (await players[0].StartGame(roomId)).Value!;
        var mover = players.Single(p => p.GetPrimaryKeyString() == started.Turn);

        await Faults.AddFaultOnWrite(TableId(roomId), new InvalidOperationException("injected write fault"));
        await Faults.AddFaultOnRead(TableId(roomId), new InvalidOperationException("injected read fault"));
        await Assert.ThrowsAnyAsync<Exception>(() => mover.TakeCard(roomId));

        var view = await RetryAsync(async () => (await mover.GetTable(roomId)).Value!);
        Assert.Equal(started.Seq, view.Seq);
        Assert.Equal(started.Hand, view.Hand);
    }

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
