using CardGame.Edge.Application;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CardGame.Edge.Tests;

/// <summary>
/// <see cref="RequestLimiter"/> with a fake clock: a connection's burst, then its sustained rate, each connection on its
/// own; over the wire <see cref="LimitsTests"/> checks the same through the hub.
/// </summary>
public sealed class RequestLimiterTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private readonly RequestLimiter _limiter;

    public RequestLimiterTests() =>
        _limiter = new RequestLimiter(Options.Create(new EdgeOptions { InvocationsPerSecond = 20, InvocationBurst = 40 }), _time,
            NullLogger<RequestLimiter>.Instance);

    [Fact]
    public void A_connection_may_make_its_burst_at_once_and_then_is_refused_with_rate_limited()
    {
        var session = Session("c1");

        Assert.Equal(40, Allowed(session, 100));
        var error = Assert.Throws<GameException>(() => _limiter.Acquire(session, "PutCard"));
        Assert.Equal(ErrorCodes.RateLimited, error.Error.Code);
        Assert.Contains("at most 20 invocations per second (bursts of 40)", error.Error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Spent_requests_come_back_at_the_sustained_rate_and_never_beyond_the_burst()
    {
        var session = Session("c1");
        Assert.Equal(40, Allowed(session, 40));

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(10, Allowed(session, 100));
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(0, Allowed(session, 1));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Allowed(session, 100));

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(40, Allowed(session, 100));
    }

    [Fact]
    public void Refused_requests_do_not_use_up_the_budget()
    {
        var session = Session("c1");
        Allowed(session, 40);

        // Hammering while refused: what comes back still comes back at the sustained rate.
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(5));
            Allowed(session, 1);
        }

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, Allowed(session, 100));
    }

    [Fact]
    public void Each_connection_has_a_budget_of_its_own()
    {
        var busy = Session("busy");
        var calm = Session("calm");

        Assert.Equal(40, Allowed(busy, 100));
        Assert.Equal(40, Allowed(calm, 100));
    }

    /// <summary>How many of <paramref name="attempts"/> requests made now the limiter lets through.</summary>
    private int Allowed(ClientSession session, int attempts)
    {
        var allowed = 0;
        for (var i = 0; i < attempts; i++)
        {
            try
            {
                _limiter.Acquire(session, "PutCard");
                allowed++;
            }
            catch (GameException ex) when (ex.Error.Code == ErrorCodes.RateLimited)
            {
            }
        }

        return allowed;
    }

    private static ClientSession Session(string id) => new(new Connection(id));

    private sealed class Connection(string id) : IClientConnection
    {
        public string Id => id;

        public System.Net.IPAddress? RemoteAddress => null;

        public Task SendEventAsync(TableEvent tableEvent) => Task.CompletedTask;

        public Task SendEventAsync(CardGame.Edge.Delivery.PreparedEvent<TableEvent> tableEvent) => Task.CompletedTask;

        public Task SendLobbyEventsAsync(IReadOnlyList<CardGame.Edge.Delivery.PreparedEvent<LobbyEvent>> lobbyEvents) => Task.CompletedTask;

        public Task<bool> CloseAsync(GameError reason) => Task.FromResult(false);

        public void Abort()
        {
        }
    }
}
