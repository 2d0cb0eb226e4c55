using System.Net;
using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

/// <summary>An edge whose cluster does not exist (nothing listens on its gateway port) still serves, and says so.</summary>
public sealed class UnavailableTests : IAsyncLifetime
{
    private EdgeServer _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeServer.StartAsync(
        new Dictionary<string, string?>
        {
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(),
            ["Orleans:ClusterId"] = "nowhere",
            ["Auth:SigningKey"] = TestTokens.SigningKey,
        },
        waitUntilReady: false);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Calls_fail_with_unavailable_when_the_cluster_cannot_be_reached()
    {
        await using var client = await GameClient.ConnectAsync(_edge);
        var token = TestTokens.Create(TestTokens.NewPlayerId());

        var message = await client.AssertFailsAsync(ErrorCodes.Unavailable, "Authenticate", token);
        await client.AssertFailsAsync(ErrorCodes.Unavailable, "ListRooms");
        await client.AssertFailsAsync(ErrorCodes.Unavailable, "JoinRoom", "rsomeroom01");

        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Socket_requests_fail_with_unavailable_when_the_cluster_cannot_be_reached()
    {
        await using var client = await SocketClient.ConnectAsync(_edge);

        await client.AssertFailsAsync(ErrorCodes.Unavailable, "auth", new { token = TestTokens.Create(TestTokens.NewPlayerId()) });
    }

    [Fact]
    public async Task A_client_with_a_token_connects_and_gets_unavailable_until_the_cluster_is_back()
    {
        var guest = await _edge.SignInAsync("patient");
        await using var client = await GameClient.ConnectAsync(_edge, guest.Token, guest.PlayerId);

        await client.AssertFailsAsync(ErrorCodes.Unavailable, "GetTable", "rsomeroom01");
    }

    [Fact]
    public async Task The_edge_is_alive_but_neither_ready_nor_healthy_without_a_cluster()
    {
        using var live = await _edge.Http.GetAsync("/health/live");
        using var ready = await _edge.Http.GetAsync("/health/ready");
        using var health = await _edge.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Guest_sign_in_works_without_a_cluster()
    {
        var guest = await _edge.SignInAsync("offline");

        Assert.StartsWith("p", guest.PlayerId, StringComparison.Ordinal);
    }
}
