using Orleans.TestingHost;

namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>
/// What the chaos tests break: a real redis-server with <c>appendonly yes</c> and <c>appendfsync always</c> (as in
/// production), a 2-silo cluster clustering and storing through it with the production grain directory
/// (<see cref="ClusterFixture"/>), and two edges as real processes (the built edge of this checkout), so an edge can
/// be killed with SIGKILL; a silo process can join to be killed too. Turn timer and seat hold are long, so every move in a run is a client's.
/// </summary>
public class ChaosFixture : ClusterFixture
{
    private readonly List<ServerProcess> _edges = [];
    private readonly List<ServerProcess> _others = [];
    private int _edgesStarted;

    protected override string[] RedisArguments => ["--appendonly", "yes", "--appendfsync", "always"];

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>
    {
        ["Game:TurnTimeoutSeconds"] = "300",
        ["Game:SeatHoldSeconds"] = "300",
        ["Game:RoomListCacheMilliseconds"] = "0",
        // The silo-kill test creates rooms until one is placed on the silo it kills (1 in 3 each, up to 40): more than
        // the 3 a player may leave unjoined by default, which is not what these tests are about.
        ["Game:MaxUnjoinedRoomsPerPlayer"] = "1000",
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
            _others.AddRange(_edges.Where(e => e.HasExited));
            _edges.RemoveAll(e => e.HasExited);
        }

        var config = new Dictionary<string, string?>(EdgeConfiguration)
        {
            ["Auth:SigningKey"] = ProcessTopology.SigningKey,
            ["Edge:SubscriptionRefreshSeconds"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var started = Enumerable.Range(0, 2 - Edges.Count)
            .Select(_ => ServerProcess.Start($"edge{++_edgesStarted}", ProcessTopology.Artifact("Edge", "CardGame.Edge.dll"), config, FreePorts.Next()))
            .ToList();
        lock (_edges)
        {
            _edges.AddRange(started);
        }

        await Task.WhenAll(started.Select(e => e.WaitHealthyAsync("/health/ready")));
    }

    /// <summary>
    /// Starts one more silo of this cluster as a real process (the built silo of this checkout, production
    /// configuration), so that it can die as a crash does: SIGKILL.
    /// </summary>
    public async Task<ServerProcess> StartSiloProcessAsync()
    {
        var (siloPort, gatewayPort) = (FreePorts.Next(), FreePorts.Next());
        var config = new Dictionary<string, string?>(SiloConfiguration)
        {
            ["Silo:Port"] = siloPort.ToString(),
            ["Silo:GatewayPort"] = gatewayPort.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var silo = ServerProcess.Start($"silo-process{_others.Count + 1}", ProcessTopology.Artifact("Silo", "CardGame.Silo.dll"), config, FreePorts.Next(), siloPort, gatewayPort);
        _others.Add(silo);
        await silo.WaitHealthyAsync("/health/ready");
        return silo;
    }

    public override async Task DisposeAsync()
    {
        foreach (var server in Edges.Concat(_others))
        {
            await server.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>
/// The chaos setup on one silo whose <c>tables</c> storage is the real Redis storage wrapped by Orleans' fault
/// injection (<c>IStorageFaultGrain</c>, key <c>table</c>: a table's next write fails) and by
/// <see cref="LandThenFailStorage"/> (a table's next write lands but is reported as failed).
/// </summary>
public sealed class StorageFaultChaosFixture : ChaosFixture
{
    protected override short InitialSilos => 1;

    protected override void AddConfigurators(TestClusterBuilder builder)
    {
        builder.AddSiloBuilderConfigurator<LandThenFailStorage.SiloConfigurator>();
        base.AddConfigurators(builder);
    }
}
