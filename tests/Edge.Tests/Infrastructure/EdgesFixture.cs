using CardGame.TestSupport;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>
/// A 2-silo cluster on Redis (the lead's <see cref="ClusterFixture"/>) and two edges joined to it, each a real Kestrel
/// server on loopback, as two edge nodes of one deployment would be.
/// </summary>
public sealed class EdgesFixture : ClusterFixture
{
    public const string AllowedOrigin = "http://allowed.example";

    public EdgeServer Edge1 { get; private set; } = null!;

    public EdgeServer Edge2 { get; private set; } = null!;

    public IEnumerable<EdgeServer> Edges => [Edge1, Edge2];

    public IReadOnlyDictionary<string, string?> EdgeSettings => new Dictionary<string, string?>(EdgeConfiguration)
    {
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        ["Edge:AllowedOrigins:0"] = AllowedOrigin,
        ["Edge:SubscriptionRefreshSeconds"] = "2",
        // Tokens stop at their exp exactly, so tests of expiry during a session can use tokens of a few seconds.
        ["Auth:ClockSkewSeconds"] = "0",
        // Every test client comes from 127.0.0.1: per-address caps are tested on edges of their own.
        ["Edge:MaxConnectionsPerAddress"] = "1000000",
        ["Edge:GuestSignInsPerMinute"] = "1000000",
        ["Edge:GuestSignInBurst"] = "1000000",
        // Everything the edge and ASP.NET Core say, to check that no token is ever logged.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:CardGame"] = "Trace",
    };

    /// <summary>
    /// Where traces would go. Nothing listens there: tracing tests read spans with an in-memory exporter; setting it
    /// turns on Orleans' trace propagation in the silos, as in production with tracing on.
    /// </summary>
    public const string TracingEndpoint = "http://127.0.0.1:9";

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>(base.GameSettings)
    {
        ["Tracing:OtlpEndpoint"] = TracingEndpoint,
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Edge1 = await EdgeServer.StartAsync(EdgeSettings);
        Edge2 = await EdgeServer.StartAsync(EdgeSettings);
    }

    public override async Task DisposeAsync()
    {
        if (Edge2 is not null)
        {
            await Edge2.DisposeAsync();
        }

        if (Edge1 is not null)
        {
            await Edge1.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EdgesCollection : ICollectionFixture<EdgesFixture>
{
    public const string Name = "edges";
}
