using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>A 2-silo cluster on Redis clustering and Redis storage, shared by the tests that do not break it.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>A cluster with short turn and seat-hold timers.</summary>
[CollectionDefinition(Name)]
public sealed class FastTimersCollection : ICollectionFixture<FastTimersClusterFixture>
{
    public const string Name = "fast-timers";
}

/// <summary>A cluster of its own for quick play, so no other test's waiting rooms are there to fill.</summary>
[CollectionDefinition(Name)]
public sealed class QuickPlayCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "quick-play";
}

public sealed class FastTimersClusterFixture : ClusterFixture
{
    protected override short InitialSilos => 1;

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>
    {
        ["Game:TurnTimeoutSeconds"] = "1",
        ["Game:SeatHoldSeconds"] = "1.5",
        ["Game:ConnectionLeaseSeconds"] = "2",
        ["Game:RoomListCacheMilliseconds"] = "0",
        ["Game:EmptyRoomSeconds"] = "2",
    };
}

/// <summary>A cluster whose edge lists lapse after 2 s and whose tables look for lapsed ones twice a second.</summary>
[CollectionDefinition(Name)]
public sealed class PresenceCollection : ICollectionFixture<PresenceClusterFixture>
{
    public const string Name = "presence";
}

public sealed class PresenceClusterFixture : ClusterFixture
{
    protected override short InitialSilos => 1;

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>
    {
        ["Game:SubscriptionLifetimeSeconds"] = "2",
        ["Game:DirectoryRefreshSeconds"] = "0.5",
    };
}
