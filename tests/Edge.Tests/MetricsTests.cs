using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class MetricsTests(EdgesFixture fixture)
{
    [Fact]
    public async Task The_edge_exports_connections_subscriptions_invocations_and_errors_by_code_for_prometheus()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("metrics", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<TableView>("StartGame", room.RoomId));

        var metrics = await fixture.Edge1.Http.GetStringAsync("/metrics");

        // Both test edges share this process, and OpenTelemetry listens to meters process-wide, so the two edges'
        // same-named gauges collide here: check they are exported; their values are checked with real processes
        // (System.Tests, ProcessTopologyTests). Counters add up, so their values are checked here.
        Assert.Contains("cardgame_edge_connections{", metrics);
        Assert.Contains("cardgame_edge_subscriptions{", metrics);
        Assert.True(Value(metrics, "cardgame_edge_errors_total", "code=\"not_enough_players\"") >= 1);
        Assert.True(Value(metrics, "cardgame_edge_invocations_total", "method=\"JoinRoom\"") >= 1);
        Assert.True(Value(metrics, "cardgame_edge_table_follows_total") >= 1, "joining a room subscribes this edge to its table");
        Assert.Contains("cardgame_edge_invocation_duration_milliseconds_bucket", metrics);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await fixture.Edge1.Http.GetAsync("/health/live")).StatusCode);
    }

    private static double Value(string metrics, string name, string? label = null) => metrics.Split('\n')
        .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is '{' or ' ') && (label is null || l.Contains(label, StringComparison.Ordinal)))
        .Select(l => double.Parse(l[(l.IndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
        .Sum();
}
