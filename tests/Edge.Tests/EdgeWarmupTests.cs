using System.Net;
using CardGame.Edge.Delivery;
using CardGame.Edge.Hub;
using CardGame.Edge.Lifecycle;

namespace CardGame.Edge.Tests;

/// <summary>
/// A fresh edge runs a reconnecting player's path (token, hub, table calls through every client) before
/// <c>/health/ready</c> answers 200, and leaves nothing behind: no Redis key, no hub connection, no subscription.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class EdgeWarmupTests(EdgesFixture fixture)
{
    [Fact]
    public async Task A_fresh_edge_runs_a_players_reconnect_path_before_it_reports_ready_and_stores_nothing()
    {
        var keysBefore = await fixture.Redis.KeysAsync();
        await using var edge = await EdgeServer.StartAsync(fixture.EdgeSettings, waitUntilReady: false);
        var warmup = edge.Services.GetRequiredService<EdgeWarmup>();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await edge.Http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the edge was not ready within 90 s");
            await Task.Delay(50);
        }

        Assert.True(warmup.Completed.IsCompleted, "ready before the warm-up was over");
        // Each step did what a reconnecting player's requests do, and got the answer it should: the token validated
        // (in process and by the hub's JwtBearer check), the hub answered Resume without a player with auth_required,
        // the made-up room was room_not_found through the main client and every silo's client.
        Assert.Equal(["token", "serializers", "hub-token", "hub", "tables"], warmup.Done);
        Assert.Contains(edge.Logs.Lines, line => line.Contains("Warm-up before reporting ready", StringComparison.Ordinal));

        // The warm-up's hub connection closes with it (the hub sees the close a moment later).
        var hub = edge.Services.GetRequiredService<GameHubLifetimeManager>();
        while (hub.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{hub.Count} warm-up hub connection(s) still open");
            await Task.Delay(50);
        }

        Assert.Equal(0, edge.Services.GetRequiredService<TableSubscriptions>().Count);
        var added = (await fixture.Redis.KeysAsync()).Except(keysBefore).ToList();
        Assert.True(added.Count == 0, $"the warm-up stored {string.Join(", ", added)}");
    }
}
