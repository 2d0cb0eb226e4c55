using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>Its own cluster: the test kills a silo.</summary>
public sealed class SiloFailureTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private IGrainFactory Grains => fixture.Grains;

    /// <summary>Moves and views go straight to the table as the player, as the edge sends them.</summary>
    private ITableGrain Table(string roomId) => Grains.GetGrain<ITableGrain>(roomId);

    [Fact]
    public async Task A_table_whose_silo_is_killed_comes_back_on_the_other_silo_with_every_acknowledged_move()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        TableView acknowledged = null!;
        for (var i = 0; i < 10; i++)
        {
            acknowledged = await GameDriver.PlayOneMoveAsync(Grains, roomId);
        }

        Assert.Equal(Phases.Playing, acknowledged.Phase);
        var before = await Task.WhenAll(players.Select(async p => (await Table(roomId).GetView(p.GetPrimaryKeyString())).Value!));
        var host = await HostOfAsync(roomId);
        var victim = fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(host));

        var killedAt = DateTime.UtcNow;
        await fixture.Cluster.KillSiloAsync(victim);
        var after = await RetryAsync(() => Task.WhenAll(players.Select(async p => (await Table(roomId).GetView(p.GetPrimaryKeyString())).Value!)));
        output.WriteLine($"table unavailable for {(DateTime.UtcNow - killedAt).TotalMilliseconds:F0} ms after the kill");

        Assert.NotEqual(host, await HostOfAsync(roomId));
        for (var i = 0; i < players.Length; i++)
        {
            Assert.Equal(before[i].Seq, after[i].Seq);
            Assert.Equal(before[i].Hand, after[i].Hand);
            Assert.Equal(before[i].TopCard, after[i].TopCard);
            Assert.Equal(before[i].Turn, after[i].Turn);
            Assert.Equal(before[i].StockCount, after[i].StockCount);
        }

        var end = await GameDriver.PlayToEndAsync(Grains, roomId);
        Assert.Equal(Phases.Finished, end.Phase);
    }

    private async Task<SiloAddress> HostOfAsync(string roomId)
    {
        var tableId = Grains.GetGrain<ITableGrain>(roomId).GetGrainId();
        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Single(s => s.GrainId == tableId).SiloAddress;
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
