using CardGame.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace CardGame.TestSupport;

/// <summary>A test silo: Redis clustering, then exactly the production game configuration.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var config = siloBuilder.Configuration;
        siloBuilder.UseRedisClustering(config.GetConnectionString("Redis")!);
        siloBuilder.AddCardGameGrains(config);
        siloBuilder.Configure<ClusterMembershipOptions>(TuneFailureDetection);
    }

    /// <summary>Declares a killed silo dead within a few seconds instead of the default ~10 s or more.</summary>
    public static void TuneFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
    }
}
