using Orleans.TestingHost;

namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>
/// What the chaos tests break: a real redis-server with <c>appendonly yes</c> and <c>appendfsync always</c> (as in
/// production), a 2-silo cluster clustering and storing through it with the production grain directory
/// (<see cref="ClusterFixture"/>), and two edges as real processes (the built edge of this checkout), so an edge can
/// be killed with SIGKILL. Turn timer and seat hold are long, so every move in a run is a client's.
/// </summary>
public class ChaosFixture : ClusterFixture
{
    private readonly List<ServerProcess> _edges = [];
    private int _edgesStarted;

    protected override string[] RedisArguments => ["--appendonly", "yes", "--appendfsync", "always"];

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>
    {
        ["Game:TurnTimeoutSeconds"] = "300",
        ["Game:SeatHoldSeconds"] = "300",
        ["Game:RoomListCacheMilliseconds"] = "0",
    };

    public IReadOnlyList<ServerProcess> Edges
    {
        get
        {
            lock (_edges)
            {
                return [.. _edges];
            }
        }
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await EnsureEdgesAsync();
    }

    /// <summary>The live edges' URLs, <paramref name="preferred"/>'s first: where a client (re)connects.</summary>
    public Func<IReadOnlyList<string>> EdgesFor(int preferred) => () =>
    {
        var edges = Edges;
        return [.. edges.Skip(preferred % edges.Count).Concat(edges.Take(preferred % edges.Count)).Where(e => !e.HasExited).Select(e => e.Url)];
    };

    /// <summary>Replaces killed edges, so that two are running.</summary>
    public async Task EnsureEdgesAsync()
    {
        lock (_edges)
        {
            _edges.RemoveAll(e => e.HasExited);
        }

        while (Edges.Count < 2)
        {
            var config = new Dictionary<string, string?>(EdgeConfiguration)
            {
                ["Auth:SigningKey"] = ProcessTopology.SigningKey,
                ["Edge:SubscriptionRefreshSeconds"] = "1",
                ["Edge:ConnectionReportSeconds"] = "5",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            var edge = ServerProcess.Start($"edge{++_edgesStarted}", ProcessTopology.Artifact("Edge", "CardGame.Edge.dll"), config, RedisServer.FreePort());
            lock (_edges)
            {
                _edges.Add(edge);
            }

            await edge.WaitHealthyAsync("/health/ready");
        }
    }

    /// <summary>Starts a silo if one was killed, so that two are running.</summary>
    public async Task EnsureSilosAsync(int count)
    {
        while (Cluster.GetActiveSilos().Count() < count)
        {
            await Cluster.StartAdditionalSiloAsync();
        }
    }

    public override async Task DisposeAsync()
    {
        foreach (var edge in Edges)
        {
            await edge.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>
/// The chaos setup on one silo whose <c>tables</c> storage is the real Redis storage wrapped by Orleans' fault
/// injection (<c>IStorageFaultGrain</c>, key <c>table</c>), to make a given table's next write fail.
/// </summary>
public sealed class StorageFaultChaosFixture : ChaosFixture
{
    protected override short InitialSilos => 1;

    protected override void AddConfigurators(TestClusterBuilder builder)
    {
        builder.AddSiloBuilderConfigurator<FaultInjectionClusterFixture.FaultInjectionSiloConfigurator>();
        base.AddConfigurators(builder);
    }
}
