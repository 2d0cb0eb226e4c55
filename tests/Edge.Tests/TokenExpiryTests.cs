using System.Diagnostics;
using CardGame.Edge.Delivery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// A connection lives no longer than its token: the edges of <see cref="EdgesFixture"/> accept no clock skew, so a
/// token of a few seconds expires during the test. How few is measured first (<see cref="LifetimeAsync"/>): long enough
/// for the test to connect and call before it expires however busy the machine is, short enough to keep the test quick.
/// What happens at the expiry is tested only by a run whose steps before it are known to have been answered before it
/// (by the clock the edge checks tokens with): a run in which the machine stopped for longer than the token lived
/// says so and is taken again with a token that lives twice as long (<see cref="WithShortTokensAsync"/>).
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class TokenExpiryTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan ShortestLifetime = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_connection_whose_token_expires_is_closed_with_token_expired(bool tokenAtConnect) => await WithShortTokensAsync(fixture.Edge1, async lifetime =>
    {
        var playerId = TestTokens.NewPlayerId();
        var token = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
        var expires = ExpiryOf(token);
        GameClient client;
        try
        {
            client = await GameClient.ConnectAsync(fixture.Edge1, tokenAtConnect ? token : null, playerId);
        }
        catch (HttpRequestException) when (DateTimeOffset.UtcNow >= expires)
        {
            return false;
        }

        await using (client)
        {
            try
            {
                if (!tokenAtConnect)
                {
                    await client.InvokeAsync<Welcome>("Authenticate", token);
                }

                await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
            }
            catch (Exception ex) when (ex is HubException or InvalidOperationException && DateTimeOffset.UtcNow >= expires)
            {
                return false;
            }

            // The close's reason (token_expired, checked below) shows the expiry closed it, not a timeout; when it came is
            // bounded only loosely above: the client sees it late on a saturated machine (once 4 s after the expiry at load 72).
            var closed = await client.Closed.WaitAsync(lifetime + TimeSpan.FromSeconds(20));
            var closedAt = DateTimeOffset.UtcNow;

            var error = Assert.IsType<HubException>(closed);
            Assert.Contains($"{ErrorCodes.TokenExpired}: ", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", error.Message.Replace(nameof(HubException), "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.InRange(closedAt, expires - TimeSpan.FromMilliseconds(100), expires + lifetime + TimeSpan.FromSeconds(10));
            await WaitUntilGoneAsync(fixture.Edge1, playerId);
            return true;
        }
    });

    [Fact]
    public async Task A_connection_that_authenticates_again_with_a_fresh_token_before_expiry_stays_open() => await WithShortTokensAsync(fixture.Edge2, async lifetime =>
    {
        var playerId = TestTokens.NewPlayerId();
        var shortLived = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
        var expires = ExpiryOf(shortLived);
        GameClient client;
        try
        {
            client = await GameClient.ConnectAsync(fixture.Edge2, shortLived, playerId);
        }
        catch (HttpRequestException) when (DateTimeOffset.UtcNow >= expires)
        {
            return false;
        }

        await using (client)
        {
            Welcome welcome;
            try
            {
                await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
                welcome = await client.InvokeAsync<Welcome>("Authenticate", TestTokens.Create(playerId, expires: DateTime.UtcNow.AddHours(1)));
            }
            catch (Exception ex) when (ex is HubException or InvalidOperationException && DateTimeOffset.UtcNow >= expires)
            {
                return false;
            }

            // Only a fresh token answered before the short one expired was surely taken before it.
            if (DateTimeOffset.UtcNow >= expires)
            {
                return false;
            }

            var finished = await Task.WhenAny(client.Closed, Task.Delay(lifetime + TimeSpan.FromSeconds(3)));

            Assert.Equal(playerId, welcome.PlayerId);
            Assert.NotSame(client.Closed, finished);
            Assert.NotNull(await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms"));
            Assert.Equal(HubConnectionState.Connected, client.Connection.State);
            return true;
        }
    });

    [Fact]
    public async Task Invocations_around_the_expiry_either_succeed_or_fail_with_token_expired_and_then_the_connection_closes() => await WithShortTokensAsync(fixture.Edge1, async lifetime =>
    {
        var playerId = TestTokens.NewPlayerId();
        var token = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
        var expires = ExpiryOf(token);
        GameClient client;
        try
        {
            client = await GameClient.ConnectAsync(fixture.Edge1, token, playerId);
        }
        catch (HttpRequestException) when (DateTimeOffset.UtcNow >= expires)
        {
            return false;
        }

        await using (client)
        {
            var outcomes = new List<string>();
            DateTimeOffset? firstAnswered = null;
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

                    firstAnswered ??= DateTimeOffset.UtcNow;
                }

                await Task.Delay(150);
            }

            // A first call answered after the expiry may rightly have been refused: the run shows nothing before it.
            if (!outcomes.Contains("ok") && firstAnswered >= expires)
            {
                return false;
            }

            Assert.True(client.Closed.IsCompleted, "the connection did not close");
            Assert.Contains("ok", outcomes);
            Assert.All(outcomes.Where(o => o is not "ok" and not "after close"), o => Assert.Contains($"{ErrorCodes.TokenExpired}: ", o, StringComparison.Ordinal));
            Assert.DoesNotContain("ok", outcomes.SkipWhile(o => o == "ok"));
            await Assert.ThrowsAsync<InvalidOperationException>(() => client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms"));
            return true;
        }
    });

    /// <summary>
    /// Runs <paramref name="attempt"/> with a token lifetime from <see cref="LifetimeAsync"/>, and again with one twice
    /// as long while it answers false: its steps before the expiry were not all answered before it (the machine
    /// stopped for longer than the token lived), so the run showed nothing about the expiry. Three tries at most.
    /// </summary>
    private async Task WithShortTokensAsync(EdgeServer edge, Func<TimeSpan, Task<bool>> attempt)
    {
        var lifetime = await LifetimeAsync(edge);
        for (var run = 1; !await attempt(lifetime); run++)
        {
            output.WriteLine($"run {run}: the token of {lifetime.TotalSeconds:F1} s expired before the steps that come before its expiry were answered; again with {2 * lifetime.TotalSeconds:F1} s");
            Assert.True(run < 3, $"in 3 runs the steps before the expiry never finished before it (tokens of up to {lifetime.TotalSeconds:F1} s)");
            lifetime *= 2;
        }
    }

    private static DateTimeOffset ExpiryOf(string token) =>
        new(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).ValidTo, TimeSpan.Zero);

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
