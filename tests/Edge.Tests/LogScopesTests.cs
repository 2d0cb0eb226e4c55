using Microsoft.Extensions.Options;

namespace CardGame.Edge.Tests;

/// <summary>
/// An edge captures no log scopes unless <c>Logging:CaptureScopes</c> says so: Kestrel, hosting and SignalR open one per
/// connection and request, kept as long as a WebSocket lives, and no log output here prints them.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class LogScopesTests(EdgesFixture fixture)
{
    [Fact]
    public void An_edge_captures_no_log_scopes_by_default()
    {
        Assert.False(fixture.Edge1.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.CaptureScopes);
        // No scope object is made: the logger hands out its shared empty scope.
        Assert.Equal("NullScope", OpenScope(fixture.Edge1));
    }

    [Fact]
    public async Task An_edge_configured_to_capture_log_scopes_does()
    {
        await using var edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Logging:CaptureScopes"] = "true",
        }, waitUntilReady: false);
        Assert.True(edge.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.CaptureScopes);
        Assert.NotEqual("NullScope", OpenScope(edge));
    }

    private static string? OpenScope(EdgeServer edge)
    {
        using var scope = edge.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test").BeginScope("connection");
        return scope?.GetType().Name;
    }
}
