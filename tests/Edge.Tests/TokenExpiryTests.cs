using System.Diagnostics;
using CardGame.Edge.Delivery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.Edge.Tests;

/// <summary>
/// A connection lives no longer than its token: the edges of <see cref="EdgesFixture"/> accept no clock skew, so a
/// token of a few seconds expires during the test. How few is measured first (<see cref="LifetimeAsync"/>): long enough
/// for the test to connect and call before it expires however busy the machine is, short enough to keep the test quick.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class TokenExpiryTests(EdgesFixture fixture)
{
    private static readonly TimeSpan ShortestLifetime = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_connection_whose_token_expires_is_closed_with_token_expired(bool tokenAtConnect)
    {
        var lifetime = await LifetimeAsync(fixture.Edge1);
        var playerId = TestTokens.NewPlayerId();
        var token = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
        var expires = new DateTimeOffset(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).ValidTo, TimeSpan.Zero);
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, tokenAtConnect ? token : null, playerId);
        if (!tokenAtConnect)
        {
            await client.InvokeAsync<Welcome>("Authenticate", token);
        }

        await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
        // The close's reason (token_expired, checked below) shows the expiry closed it, not a timeout; when it came is
        // bounded only loosely above: the client sees it late on a saturated machine (once 4 s after the expiry at load 72).
        var closed = await client.Closed.WaitAsync(lifetime + TimeSpan.FromSeconds(20));
        var closedAt = DateTimeOffset.UtcNow;

        var error = Assert.IsType<HubException>(closed);
        Assert.Contains($"{ErrorCodes.TokenExpired}: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message.Replace(nameof(HubException), "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.InRange(closedAt, expires - TimeSpan.FromMilliseconds(100), expires + lifetime + TimeSpan.FromSeconds(10));
        await WaitUntilGoneAsync(fixture.Edge1, playerId);
    }

    [Fact]
    public async Task A_connection_that_authenticates_again_with_a_fresh_token_before_expiry_stays_open()
    {
        var lifetime = await LifetimeAsync(fixture.Edge2);
        var playerId = TestTokens.NewPlayerId();
        var shortLived = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
        await using var client = await GameClient.ConnectAsync(fixture.Edge2, shortLived, playerId);
        await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");

        var welcome = await client.InvokeAsync<Welcome>("Authenticate", TestTokens.Create(playerId, expires: DateTime.UtcNow.AddHours(1)));
        var finished = await Task.WhenAny(client.Closed, Task.Delay(lifetime + TimeSpan.FromSeconds(3)));

        Assert.Equal(playerId, welcome.PlayerId);
        Assert.NotSame(client.Closed, finished);
        Assert.NotNull(await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms"));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Invocations_around_the_expiry_either_succeed_or_fail_with_token_expired_and_then_the_connection_closes()
    {
        var lifetime = await LifetimeAsync(fixture.Edge1);
        var playerId = TestTokens.NewPlayerId();
        var token = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, token, playerId);
        var outcomes = new List<string>();
        var watch = Stopwatch.StartNew();

        // Several invocations in flight at a time (within the rate limit) until the connection closes.
        while (!client.Closed.IsCompleted && watch.Elapsed < lifetime + TimeSpan.FromSeconds(10))
        {
            var calls = Enumerable.Range(0, 3).Select(_ => client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms")).ToList();
            foreach (var call in calls)
            {
                try
                {
                    await call;
                    outcomes.Add("ok");
                }
                catch (HubException ex)
                {
                    outcomes.Add(ex.Message);
                }
                catch (InvalidOperationException)
                {
                    // The client refuses calls once its connection is closing, which may be just before its Closed
                    // event fires: that close must follow (a refusal without it fails here).
                    await client.Closed.WaitAsync(TimeSpan.FromSeconds(15));
                    outcomes.Add("after close");
                }
            }

            await Task.Delay(150);
        }

        Assert.True(client.Closed.IsCompleted, "the connection did not close");
        Assert.Contains("ok", outcomes);
        Assert.All(outcomes.Where(o => o is not "ok" and not "after close"), o => Assert.Contains($"{ErrorCodes.TokenExpired}: ", o, StringComparison.Ordinal));
        Assert.DoesNotContain("ok", outcomes.SkipWhile(o => o == "ok"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms"));
    }

    /// <summary>
    /// A token lifetime four times what connecting, authenticating and one call take on this machine right now (at least
    /// <see cref="ShortestLifetime"/>), so that the steps each test takes before the expiry happen before it.
    /// </summary>
    private static async Task<TimeSpan> LifetimeAsync(EdgeServer edge)
    {
        var playerId = TestTokens.NewPlayerId();
        var watch = Stopwatch.StartNew();
        await using (var client = await GameClient.ConnectAsync(edge, null, playerId))
        {
            await client.InvokeAsync<Welcome>("Authenticate", TestTokens.Create(playerId, expires: DateTime.UtcNow.AddHours(1)));
            await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
        }

        return TimeSpan.FromTicks(Math.Max(ShortestLifetime.Ticks, watch.Elapsed.Ticks * 4));
    }

    private static async Task WaitUntilGoneAsync(EdgeServer edge, string playerId)
    {
        var players = edge.Services.GetRequiredService<LocalPlayers>();
        for (var i = 0; i < 100 && players.ConnectionCount(playerId) > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, players.ConnectionCount(playerId));
    }
}
