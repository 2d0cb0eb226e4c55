using System.Net;
using CardGame.Edge.Hub;
using CardGame.Edge.Limits;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Tests;

/// <summary>
/// What one client may hold open on an edge: connections per player, per address, anonymous connections only until
/// the authentication deadline, and Kestrel's limits. An edge of the shared cluster with small caps; clients tell it
/// their address through <c>X-Forwarded-For</c> (the test runs on loopback, a trusted proxy by default), so each test
/// floods from addresses of its own.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class ConnectionLimitsTests(EdgesFixture fixture) : IAsyncLifetime
{
    private const int PerPlayer = 2;
    private const int PerAddress = 4;
    private const string ClosedPrefix = "The server closed the connection with the following error: ";

    private EdgeServer _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
    {
        ["Edge:MaxConnectionsPerPlayer"] = PerPlayer.ToString(),
        ["Edge:MaxConnectionsPerAddress"] = PerAddress.ToString(),
        ["Edge:AuthenticateWithinSeconds"] = "2",
    });

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task A_player_over_the_per_player_cap_is_refused_with_limit_reached_at_connect_and_at_authenticate()
    {
        var playerId = TestTokens.NewPlayerId();
        var token = TestTokens.Create(playerId);
        var address = NewAddress();
        var open = new List<GameClient>();
        for (var i = 0; i < PerPlayer; i++)
        {
            open.Add(await ConnectAsync(token, address, playerId));
        }

        var refused = await ConnectAsync(token, address, playerId);
        Assert.StartsWith(ErrorCodes.LimitReached + ": ", await CloseReasonAsync(refused));

        await using (var anonymous = await ConnectAsync(null, NewAddress()))
        {
            await anonymous.AssertFailsAsync(ErrorCodes.LimitReached, "Authenticate", token);
        }

        // A closed connection frees its place.
        await open[0].DisposeAsync();
        await WaitUntilAsync(() => _edge.Services.GetRequiredService<Delivery.LocalPlayers>().ConnectionCount(playerId) < PerPlayer);
        await using var again = await ConnectAsync(token, address, playerId);
        await again.InvokeAsync<RoomInfo[]>("ListRooms");
        await refused.DisposeAsync();
        await open[1].DisposeAsync();
    }

    [Fact]
    public async Task A_flood_of_connections_from_one_address_is_capped_while_other_addresses_connect()
    {
        var flooder = NewAddress();
        var clients = new List<GameClient>();
        for (var i = 0; i < PerAddress * 5; i++)
        {
            clients.Add(await ConnectAsync(TestTokens.Create(TestTokens.NewPlayerId()), flooder));
        }

        // Each connection either answers (it was let in) or was closed; which ones depends on timing, how many does not.
        var reasons = new List<string?>();
        foreach (var client in clients)
        {
            try
            {
                await client.InvokeAsync<RoomInfo[]>("ListRooms");
                reasons.Add(null);
            }
            catch (Exception)
            {
                reasons.Add(await CloseReasonAsync(client));
            }
        }

        Assert.Equal(PerAddress, reasons.Count(r => r is null));
        Assert.All(reasons.Where(r => r is not null), r => Assert.StartsWith(ErrorCodes.LimitReached + ": at most 4 connections from one address", r));

        await using (var other = await ConnectAsync(TestTokens.Create(TestTokens.NewPlayerId()), NewAddress()))
        {
            await other.InvokeAsync<RoomInfo[]>("ListRooms");
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await WaitUntilAsync(() => _edge.Services.GetRequiredService<ConnectionLimits>().Addresses == 0);
    }

    [Fact]
    public async Task Connections_that_never_authenticate_are_closed_with_auth_required_after_the_deadline()
    {
        var connections = _edge.Services.GetRequiredService<GameHubLifetimeManager>();
        var before = connections.Count;
        var idle = new List<GameClient>();
        for (var i = 0; i < 12; i++)
        {
            idle.Add(await ConnectAsync(null, NewAddress()));
        }

        var authenticated = await ConnectAsync(null, NewAddress());
        var welcome = await authenticated.InvokeAsync<Welcome>("Authenticate", TestTokens.Create(TestTokens.NewPlayerId()));

        foreach (var client in idle)
        {
            var closed = await client.Closed.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.StartsWith(ClosedPrefix + ErrorCodes.AuthRequired + ": authenticate within 2 s", closed?.Message);
        }

        // Opened before the idle ones' deadline passed: had it not authenticated, it would be closed by now too.
        Assert.False(authenticated.Closed.IsCompleted);
        await authenticated.InvokeAsync<RoomInfo[]>("ListRooms");
        Assert.NotNull(welcome.PlayerId);
        await WaitUntilAsync(() => connections.Count <= before + 1);
        Assert.Equal(0, _edge.Services.GetRequiredService<AuthenticationDeadline>().Pending);
        await authenticated.DisposeAsync();
        foreach (var client in idle)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Kestrel_limits_are_set_and_oversized_headers_and_bodies_are_refused()
    {
        var limits = _edge.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(20_000, limits.MaxConcurrentConnections);
        Assert.Equal(20_000, limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(LimitsExtensions.MaxRequestBodyBytes, limits.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);

        using var headers = new HttpRequestMessage(HttpMethod.Get, "/health");
        headers.Headers.Add("X-Padding", new string('h', 20 * 1024));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await _edge.Http.SendAsync(headers)).StatusCode);

        using var body = new StringContent($"{{\"name\": \"{new string('b', 100 * 1024)}\"}}", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _edge.Http.PostAsync("/api/auth/guest", body)).StatusCode);
    }

    private static int _addresses;

    /// <summary>A documentation address (TEST-NET-3) no other test uses.</summary>
    private static string NewAddress() => $"203.0.113.{Interlocked.Increment(ref _addresses) % 250 + 1}";

    private async Task<GameClient> ConnectAsync(string? token, string address, string? playerId = null) =>
        await GameClient.ConnectAsync(_edge, token, playerId, options => options.Headers["X-Forwarded-For"] = address);

    private static async Task<string> CloseReasonAsync(GameClient client)
    {
        var closed = await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        var message = closed?.Message ?? "";
        return message.StartsWith(ClosedPrefix, StringComparison.Ordinal) ? message[ClosedPrefix.Length..] : message;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the edge did not get there within 15 s");
            await Task.Delay(50);
        }
    }
}
