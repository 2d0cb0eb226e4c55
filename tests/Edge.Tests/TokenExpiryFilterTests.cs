using System.Globalization;
using System.Security.Claims;
using CardGame.Edge.Auth;
using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CardGame.Edge.Tests;

/// <summary>
/// <see cref="TokenExpiry"/> with a fake clock: exactly when an invocation starts failing with <c>token_expired</c>
/// (over the wire the timer closes the connection at that moment, so a late invocation is a race there).
/// </summary>
public sealed class TokenExpiryFilterTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private readonly TokenExpiry _expiry;
    private readonly Caller _caller = new();

    public TokenExpiryFilterTests()
    {
        var auth = Options.Create(new AuthOptions { ClockSkewSeconds = (int)Skew.TotalSeconds });
        _expiry = new TokenExpiry(new GameHubLifetimeManager(NullLogger<DefaultHubLifetimeManager<GameHub>>.Instance), auth, _time, NullLogger<TokenExpiry>.Instance);
    }

    [Fact]
    public async Task An_invocation_after_the_token_and_its_clock_skew_expired_fails_with_token_expired_and_reaches_nothing()
    {
        _expiry.Track(_caller, Claims(_time.GetUtcNow().AddSeconds(10)));

        _time.Advance(TimeSpan.FromSeconds(10) + Skew - TimeSpan.FromMilliseconds(1));
        Assert.True(await InvokeAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<HubException>(InvokeAsync);

        Assert.StartsWith($"{ErrorCodes.TokenExpired}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticating_again_with_a_fresh_token_moves_the_deadline()
    {
        _expiry.Track(_caller, Claims(_time.GetUtcNow().AddSeconds(10)));
        _time.Advance(TimeSpan.FromSeconds(8));
        _expiry.Track(_caller, Claims(_time.GetUtcNow().AddHours(1)));

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(await InvokeAsync());
        _time.Advance(TimeSpan.FromMinutes(1) + Skew);
        await Assert.ThrowsAsync<HubException>(InvokeAsync);
    }

    [Fact]
    public async Task A_connection_without_a_token_never_expires()
    {
        _time.Advance(TimeSpan.FromDays(400));

        Assert.True(await InvokeAsync());
    }

    /// <summary>True when the invocation passed the filter.</summary>
    private async Task<bool> InvokeAsync()
    {
        var context = new HubInvocationContext(_caller, new ServiceCollection().BuildServiceProvider(), new NoHub(), typeof(NoHub).GetMethod(nameof(NoHub.Ping))!, []);
        return (bool)(await _expiry.InvokeMethodAsync(context, _ => ValueTask.FromResult<object?>(true)))!;
    }

    private static ClaimsIdentity Claims(DateTimeOffset expires) =>
        new([new Claim("sub", "p1"), new Claim("exp", expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))], "test");

    private sealed class NoHub : Microsoft.AspNetCore.SignalR.Hub
    {
        public void Ping()
        {
        }
    }

    private sealed class Caller : HubCallerContext
    {
        public override string ConnectionId => "c1";

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
