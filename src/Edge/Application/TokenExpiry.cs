using System.Globalization;
using System.Security.Claims;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Application;

/// <summary>
/// A connection lives no longer than the token it authenticated with: when the token stops being accepted (its
/// <c>exp</c> plus <see cref="AuthOptions.ClockSkew"/>), the connection is closed with <c>token_expired</c> as the
/// reason, and a request that arrives after that moment fails with <c>token_expired</c> (<see cref="Check"/>). One timer
/// for all connections, from <see cref="TimeProvider"/>, armed for the earliest deadline: a timer per connection cost
/// about 0.25 KiB for each (the timer, its callback and closure), an entry here about 0.07 KiB. Authenticating with a
/// fresh token moves the connection's deadline.
/// </summary>
public sealed partial class TokenExpiry(
    IOptions<AuthOptions> auth,
    TimeProvider time,
    ILogger<TokenExpiry> logger)
{
    public const string Message = "the token this connection signed in with has expired; sign in again and reconnect";

    // ITimer takes at most about 49 days; a later deadline is looked at again after this.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    /// <summary>Guards the deadlines and the timer; taken before a session's own gate, never after.</summary>
    private readonly Lock _gate = new();

    /// <summary>Each tracked connection's deadline, earliest first (ties in the order they were set).</summary>
    private readonly SortedSet<Deadline> _deadlines = new(DeadlineOrder.Instance);

    private ITimer? _timer;
    private long _order;

    /// <summary>The connection now rests on the token <paramref name="claims"/> came from: it closes when that expires.</summary>
    public void Track(ClientSession session, ClaimsIdentity? claims) => Track(session, ExpiresAt(claims));

    /// <summary>The connection now rests on a token that <paramref name="expiresAt"/> (its <c>exp</c>; null: never).</summary>
    public void Track(ClientSession session, DateTimeOffset? expiresAt)
    {
        if (expiresAt is not { } expires)
        {
            return;
        }

        lock (_gate)
        {
            DateTimeOffset deadline;
            lock (session.Gate)
            {
                session.TokenExpiresAt = deadline = expires + auth.Value.ClockSkew;
            }

            if (session.ExpiryOrder != 0)
            {
                _deadlines.Remove(new Deadline(session.ExpiryTicks, session.ExpiryOrder, session));
            }

            session.ExpiryTicks = deadline.UtcTicks;
            session.ExpiryOrder = ++_order;
            _deadlines.Add(new Deadline(session.ExpiryTicks, session.ExpiryOrder, session));
            ArmLocked();
        }
    }

    /// <summary>The connection closed: its deadline goes.</summary>
    public void Forget(ClientSession session)
    {
        lock (_gate)
        {
            if (session.ExpiryOrder != 0)
            {
                _deadlines.Remove(new Deadline(session.ExpiryTicks, session.ExpiryOrder, session));
                session.ExpiryOrder = 0;
            }
        }
    }

    /// <summary>Connections whose token's deadline is being watched.</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _deadlines.Count;
            }
        }
    }

    /// <summary>Fails with <c>token_expired</c> once the session's token is no longer accepted.</summary>
    public void Check(ClientSession session)
    {
        lock (session.Gate)
        {
            if (session.TokenExpiresAt is { } deadline && deadline <= time.GetUtcNow())
            {
                // The timer closes the connection (it is due now); this request only learns why.
                throw new GameException(Expired);
            }
        }
    }

    private static GameError Expired { get; } = new(ErrorCodes.TokenExpired, Message);

    /// <summary>Arms the timer for the earliest deadline (a millisecond after it: at the deadline itself requests fail already).</summary>
    private void ArmLocked()
    {
        if (_deadlines.Count == 0)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var left = new DateTimeOffset(_deadlines.Min.Ticks, TimeSpan.Zero) - time.GetUtcNow();
        var wait = left < TimeSpan.Zero ? TimeSpan.Zero : left < LongestWait ? left + TimeSpan.FromMilliseconds(1) : LongestWait;
        _timer ??= time.CreateTimer(static state => ((TokenExpiry)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Closes the connections whose deadline has passed, then waits for the next one.</summary>
    private void OnTimer()
    {
        List<ClientSession>? expired = null;
        lock (_gate)
        {
            var now = time.GetUtcNow().UtcTicks;
            while (_deadlines.Count > 0 && _deadlines.Min.Ticks < now)
            {
                var due = _deadlines.Min;
                _deadlines.Remove(due);
                due.Session.ExpiryOrder = 0;
                (expired ??= []).Add(due.Session);
            }

            ArmLocked();
        }

        foreach (var session in expired ?? [])
        {
            _ = ExpireAsync(session);
        }
    }

    private async Task ExpireAsync(ClientSession session)
    {
        var connectionId = session.Connection.Id;
        lock (session.Gate)
        {
            if (session.TokenExpiresAt is not { } deadline || deadline >= time.GetUtcNow())
            {
                // A fresh token moved the deadline meanwhile (and is watched again).
                return;
            }
        }

        try
        {
            if (await session.Connection.CloseAsync(Expired))
            {
                LogClosed(logger, connectionId);
            }
        }
        catch (Exception ex)
        {
            LogCloseFailed(logger, ex, connectionId);
        }
    }

    /// <summary>The token's <c>exp</c> claim, if it has one.</summary>
    public static DateTimeOffset? ExpiresAt(ClaimsIdentity? claims) =>
        long.TryParse(claims?.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(exp, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 86_400 * 366))
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed connection {ConnectionId}: its token expired")]
    private static partial void LogClosed(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection {ConnectionId} after its token expired failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string connectionId);

    /// <summary>A connection's deadline in UTC ticks; the order it was set in tells apart equal ones.</summary>
    private readonly record struct Deadline(long Ticks, long Order, ClientSession Session);

    private sealed class DeadlineOrder : IComparer<Deadline>
    {
        public static readonly DeadlineOrder Instance = new();

        public int Compare(Deadline x, Deadline y) => x.Ticks != y.Ticks ? x.Ticks.CompareTo(y.Ticks) : x.Order.CompareTo(y.Order);
    }
}
