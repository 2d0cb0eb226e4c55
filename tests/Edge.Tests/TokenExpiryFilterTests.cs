using System.Globalization;
using System.Security.Claims;
using CardGame.Edge.Application;
using CardGame.Edge.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CardGame.Edge.Tests;

/// <summary>
/// <see cref="TokenExpiry"/> with a fake clock: exactly when a request starts failing with <c>token_expired</c>, and
/// when the connection is closed with it (over the wire the timer closes the connection at that moment, so a late
/// request is a race there).
/// </summary>
public sealed class TokenExpiryFilterTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);

    private readonly CountingTime _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private readonly TokenExpiry _expiry;
    private readonly Connection _connection = new();
    private readonly ClientSession _caller;

    public TokenExpiryFilterTests()
    {
        var auth = Options.Create(new AuthOptions { ClockSkewSeconds = (int)Skew.TotalSeconds });
        _expiry = new TokenExpiry(auth, _time, NullLogger<TokenExpiry>.Instance);
        _caller = new ClientSession(_connection);
    }

    [Fact]
    public async Task An_invocation_after_the_token_and_its_clock_skew_expired_fails_with_token_expired_and_reaches_nothing()
    {
        _expiry.Track(_caller, Claims(_time.GetUtcNow().AddSeconds(10)));

        _time.Advance(TimeSpan.FromSeconds(10) + Skew - TimeSpan.FromMilliseconds(1));
        Assert.True(await InvokeAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<GameException>(InvokeAsync);

        Assert.Equal(ErrorCodes.TokenExpired, error.Error.Code);
        Assert.Null(_connection.ClosedWith);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ErrorCodes.TokenExpired, _connection.ClosedWith?.Code);
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
        await Assert.ThrowsAsync<GameException>(InvokeAsync);
    }

    [Fact]
    public async Task A_connection_without_a_token_never_expires()
    {
        _time.Advance(TimeSpan.FromDays(400));

        Assert.True(await InvokeAsync());
    }

    [Fact]
    public void Every_connection_closes_at_its_own_deadline_from_one_timer_and_a_closed_one_is_forgotten()
    {
        var first = new Connection("c1");
        var second = new Connection("c2");
        var gone = new Connection("c3");
        var moved = new Connection("c4");
        var now = _time.GetUtcNow();
        _expiry.Track(new ClientSession(first), now.AddSeconds(10));
        _expiry.Track(new ClientSession(second), now.AddSeconds(20));
        var goneSession = new ClientSession(gone);
        _expiry.Track(goneSession, now.AddSeconds(10));
        var movedSession = new ClientSession(moved);
        _expiry.Track(movedSession, now.AddSeconds(10));
        _expiry.Track(movedSession, now.AddSeconds(30));
        _expiry.Forget(goneSession);
        Assert.Equal(3, _expiry.Tracked);

        _time.Advance(TimeSpan.FromSeconds(10) + Skew + TimeSpan.FromMilliseconds(1));
        Assert.Equal(ErrorCodes.TokenExpired, first.ClosedWith?.Code);
        Assert.Null(second.ClosedWith);
        Assert.Null(gone.ClosedWith);
        Assert.Null(moved.ClosedWith);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCodes.TokenExpired, second.ClosedWith?.Code);
        Assert.Null(moved.ClosedWith);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCodes.TokenExpired, moved.ClosedWith?.Code);
        Assert.Null(gone.ClosedWith);
        Assert.Equal(0, _expiry.Tracked);
        // One timer for all of them (a timer per connection held about 0.25 KiB each, for the connection's life).
        Assert.Equal(1, _time.TimersCreated);
    }

    /// <summary>True when the request passed the check.</summary>
    private Task<bool> InvokeAsync()
    {
        _expiry.Check(_caller);
        return Task.FromResult(true);
    }

    private static ClaimsIdentity Claims(DateTimeOffset expires) =>
        new([new Claim("sub", "p1"), new Claim("exp", expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))], "test");

    /// <summary>A fake clock that counts the timers made from it.</summary>
    private sealed class CountingTime(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public int TimersCreated { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class Connection(string id = "c1") : IClientConnection
    {
        public string Id => id;

        public System.Net.IPAddress? RemoteAddress => null;

        public GameError? ClosedWith { get; private set; }

        public Task SendEventAsync(TableEvent tableEvent) => Task.CompletedTask;

        public Task SendEventAsync(CardGame.Edge.Delivery.PreparedEvent<TableEvent> tableEvent) => Task.CompletedTask;

        public Task SendLobbyEventsAsync(IReadOnlyList<CardGame.Edge.Delivery.PreparedEvent<LobbyEvent>> lobbyEvents) => Task.CompletedTask;

        public Task<bool> CloseAsync(GameError reason)
        {
            ClosedWith = reason;
            return Task.FromResult(true);
        }

        public void Abort()
        {
        }
    }
}
