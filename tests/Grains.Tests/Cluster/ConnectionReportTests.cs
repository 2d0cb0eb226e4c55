using CardGame.Contracts.Grains;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>An edge's batched connection reports (<see cref="IConnectionReportGrain"/>), on the 2-silo cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConnectionReportTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_batch_of_connection_counts_reaches_each_player_and_the_table_sees_who_has_none()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        var ids = players.Select(p => p.GetPrimaryKeyString()).ToArray();
        var reports = Grains.GetGrain<IConnectionReportGrain>(0);

        Assert.Equal(0, await reports.Report("edge-batch", [.. ids.Select(id => new ConnectionCount(id, 1))]));
        Assert.Equal(0, await reports.Report("edge-batch", [new ConnectionCount(ids[0], 0), new ConnectionCount(ids[2], 0)]));

        // Each player grain told its table before the batch was answered.
        var view = (await Grains.GetGrain<ITableGrain>(roomId).GetView(ids[1])).Value!;
        var connected = view.Players.ToDictionary(p => p.PlayerId, p => p.Connected);
        Assert.False(connected[ids[0]]);
        Assert.True(connected[ids[1]]);
        Assert.False(connected[ids[2]]);
    }
}
