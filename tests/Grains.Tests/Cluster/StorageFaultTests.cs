using CardGame.Contracts.Grains;
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
