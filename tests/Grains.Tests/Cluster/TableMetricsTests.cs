using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CardGame.Contracts.Grains;
using CardGame.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// <c>cardgame_tables_active</c> counts the rooms that exist, on the silo hosting each. Its own 2-silo cluster, so no
/// other test's rooms open or close while it counts.
/// </summary>
public sealed class TableMetricsTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>, IDisposable
{
    private readonly ConcurrentDictionary<SiloAddress, long> _hosted = new();
    private MeterListener? _listener;

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Tables_active_counts_rooms_that_exist_on_the_silo_hosting_them_not_activations_for_made_up_ids()
    {
        Listen();

        // Activations for room ids nobody created (lookups, made-up ids) are not tables: checked right after each call,
        // while its activation is surely alive (a table that does not exist may leave memory soon after).
        foreach (var roomId in Enumerable.Range(0, 20).Select(_ => RoomIds.New()))
        {
            Assert.Null(await Grains.GetGrain<ITableGrain>(roomId).GetInfo());
            Assert.False((await Grains.GetGrain<ITableGrain>(roomId).Resume("someone", 0)).IsOk);
            Assert.Equal(0, _hosted.Values.Sum());
        }

        // Real rooms count, each on the silo that hosts it.
        var rooms = new List<(string RoomId, IPlayerGrain[] Players)>();
        for (var i = 0; i < 6; i++)
        {
            rooms.Add(await GameDriver.SeatPlayersAsync(Grains, 1));
        }

        var hosts = await HostsOfAsync(rooms.Select(r => r.RoomId));
        foreach (var silo in fixture.Cluster.Silos)
        {
            Assert.Equal(hosts.Values.Count(h => h.Equals(silo.SiloAddress)), _hosted.GetValueOrDefault(silo.SiloAddress));
        }

        // A room whose last player leaves closes: it no longer counts (whether or not its activation lingers).
        var (closing, players) = rooms[0];
        Assert.True((await players[0].LeaveRoom(closing)).IsOk);
        Assert.Equal(5, _hosted.Values.Sum());
        Assert.Null(await Grains.GetGrain<ITableGrain>(closing).GetInfo());
    }

    public void Dispose() => _listener?.Dispose();

    /// <summary>Sums <c>cardgame.tables.active</c> per silo of this cluster (each silo's meters come from its own factory).</summary>
    private void Listen()
    {
        var silos = fixture.Cluster.Silos.Cast<InProcessSiloHandle>()
            .ToDictionary(s => (object)s.ServiceProvider.GetRequiredService<IMeterFactory>(), s => s.SiloAddress);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "cardgame.tables.active" && instrument.Meter.Scope is { } scope && silos.ContainsKey(scope))
                {
                    listener.EnableMeasurementEvents(instrument, silos[scope]);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, delta, _, state) => _hosted.AddOrUpdate((SiloAddress)state!, delta, (_, sum) => sum + delta));
        _listener.Start();
    }

    private async Task<Dictionary<string, SiloAddress>> HostsOfAsync(IEnumerable<string> roomIds)
    {
        var ids = roomIds.ToDictionary(id => Grains.GetGrain<ITableGrain>(id).GetGrainId(), id => id);
        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Where(s => ids.ContainsKey(s.GrainId)).ToDictionary(s => ids[s.GrainId], s => s.SiloAddress);
    }
}
