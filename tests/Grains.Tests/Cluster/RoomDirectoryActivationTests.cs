using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// Tables announce their room to a directory shard with one-way calls, which Orleans may deliver in any order: while a
/// shard's first activation was being placed, a table's announcements were seen arriving last first (2, 1, 0 players),
/// so the shard listed the room as it was at its creation until the table's next refresh, 30 s later. Each cluster here
/// is fresh, so every shard's first activation races with the tables' announcements and the room list's calls.
/// </summary>
public sealed class RoomDirectoryActivationTests(ITestOutputHelper output)
{
    private const int Clusters = 3;

    private const int RoomsPerCluster = 32;

    [Fact]
    public async Task Rooms_created_as_a_fresh_cluster_lists_them_on_the_other_silo_are_listed_as_they_are_now()
    {
        var wrong = new List<string>();
        for (var i = 0; i < Clusters; i++)
        {
            var fixture = new ClusterFixture();
            await fixture.InitializeAsync();
            try
            {
                var silos = fixture.Cluster.Silos.Cast<InProcessSiloHandle>().ToList();
                var tables = silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
                var list = silos[1].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IRoomListGrain>(0);
                var tag = Guid.NewGuid().ToString("N")[..6];
                var rooms = Enumerable.Range(0, RoomsPerCluster).Select(r => $"fresh{tag}{r}").ToList();

                // Created on one silo (each room then gets two players) while the other reads the list without pause.
                var creating = Task.WhenAll(rooms.Select(async roomId =>
                {
                    var table = tables.GetGrain<ITableGrain>(roomId);
                    Assert.True((await table.Create("fresh", 4, $"c{roomId}")).IsOk);
                    Assert.True((await table.Join(new PlayerSnapshot($"a{roomId}", "a"))).IsOk);
                    Assert.True((await table.Join(new PlayerSnapshot($"b{roomId}", "b"))).IsOk);
                }));
                while (!creating.IsCompleted)
                {
                    await list.ListFresh();
                }

                await creating;

                // Every room shows with its 2 players well within the tables' refresh period (30 s), which would hide a loss.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                var listed = await list.ListFresh();
                while (!rooms.All(roomId => listed.Any(r => r.RoomId == roomId && r.Players == 2)) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                    listed = await list.ListFresh();
                }

                var stale = rooms.Where(roomId => !listed.Any(r => r.RoomId == roomId && r.Players == 2))
                    .Select(roomId => $"{roomId}: {listed.FirstOrDefault(r => r.RoomId == roomId)?.Players.ToString() ?? "not listed"}")
                    .ToList();
                output.WriteLine($"cluster {i}: {stale.Count} of {RoomsPerCluster} rooms listed wrong 10 s after the last join{(stale.Count > 0 ? ": " + string.Join(", ", stale) : "")}");
                wrong.AddRange(stale);
            }
            finally
            {
                await fixture.DisposeAsync();
            }
        }

        Assert.Empty(wrong);
    }
}
