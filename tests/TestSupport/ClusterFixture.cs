using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace CardGame.TestSupport;

/// <summary>
/// A real Orleans cluster for one test collection: a real redis-server, and silos that cluster through Redis over TCP
/// and store grains in Redis, configured with the same <c>AddCardGameGrains</c> as production (so also its grain
/// directory). Failure detection is tuned to a few seconds.
/// Edges join it with <see cref="EdgeConfiguration"/>.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    public string ServiceId { get; } = "cardgame-tests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The number of silos started. Default 2.</summary>
    protected virtual short InitialSilos => 2;

    /// <summary>Extra arguments for redis-server.</summary>
    protected virtual string[] RedisArguments => [];

    /// <summary>Game settings for the silos; tests shorten the timers. Override to change.</summary>
    protected virtual IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>
    {
        ["Game:TurnTimeoutSeconds"] = "30",
        ["Game:SeatHoldSeconds"] = "60",
        ["Game:RoomListCacheMilliseconds"] = "0",
    };

    /// <summary>Configuration for a silo of this cluster (also what an out-of-process silo would get).</summary>
    public IReadOnlyDictionary<string, string?> SiloConfiguration => new Dictionary<string, string?>(GameSettings)
    {
        ["ConnectionStrings:Redis"] = Redis.ConnectionString,
        ["Orleans:ClusterId"] = ClusterId,
        ["Orleans:ServiceId"] = ServiceId,
    };

    /// <summary>Configuration for an edge to join this cluster.</summary>
    public IReadOnlyDictionary<string, string?> EdgeConfiguration => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Redis"] = Redis.ConnectionString,
        ["Orleans:ClusterId"] = ClusterId,
        ["Orleans:ServiceId"] = ServiceId,
    };

    public IGrainFactory Grains => Cluster.Client;

    public virtual async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync(RedisArguments);
        var builder = new TestClusterBuilder(InitialSilos) { PortAllocator = new ClusterPorts() };
        builder.Options.ClusterId = ClusterId;
        builder.Options.ServiceId = ServiceId;
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        // The test builder opts silos into the distributed grain directory on its own; production silos get it from
        // AddCardGameGrains, so the tests take it from there too.
        builder.Options.SiloBuilderConfiguratorTypes.RemoveAll(t => t is not null && t.Contains("ConfigureDistributedGrainDirectory", StringComparison.Ordinal));
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(SiloConfiguration));
        AddConfigurators(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>How silos and the client are configured; override to add or replace configurators.</summary>
    protected virtual void AddConfigurators(TestClusterBuilder builder)
    {
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<TestClientConfigurator>();
    }

    public virtual async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            try
            {
                await Cluster.StopAllSilosAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }

            await Cluster.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
