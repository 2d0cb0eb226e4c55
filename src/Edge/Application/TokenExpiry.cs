using System.Globalization;
using System.Security.Claims;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Application;

/// <summary>
/// A connection lives no longer than the token it authenticated with: when the token stops being accepted (its
/// <c>exp</c> plus <see cref="AuthOptions.ClockSkew"/>), the connection is closed with <c>token_expired</c> as the
/// reason, and a request that arrives after that moment fails with <c>token_expired</c> (<see cref="Check"/>). One
/// timer per authenticated connection, from <see cref="TimeProvider"/>; authenticating with a fresh token moves it.
/// </summary>
public sealed partial class TokenExpiry(
    IOptions<AuthOptions> auth,
    TimeProvider time,
    ILogger<TokenExpiry> logger)
{
    public const string Message = "the token this connection signed in with has expired; sign in again and reconnect";

    // ITimer takes at most about 49 days; a longer-lived token is checked again after this.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    /// <summary>The connection now rests on the token <paramref name="claims"/> came from: it closes when that expires.</summary>
    public void Track(ClientSession session, ClaimsIdentity? claims) => Track(session, ExpiresAt(claims));

    /// <summary>The connection now rests on a token that <paramref name="expiresAt"/> (its <c>exp</c>; null: never).</summary>
    public void Track(ClientSession session, DateTimeOffset? expiresAt)
    {
        if (expiresAt is not { } expires)
        {
            return;
        }

        lock (session.Gate)
        {
            session.TokenExpiresAt = expires + auth.Value.ClockSkew;
            session.ExpiryTimer ??= time.CreateTimer(_ => _ = ExpireAsync(session), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            session.ExpiryTimer.Change(Wait(session.TokenExpiresAt.Value), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The connection closed: its timer goes.</summary>
    public static void Forget(ClientSession session)
    {
        lock (session.Gate)
        {
            session.ExpiryTimer?.Dispose();
            session.ExpiryTimer = null;
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

    private async Task ExpireAsync(ClientSession session)
    {
        var connectionId = session.Connection.Id;
        lock (session.Gate)
        {
            if (session.TokenExpiresAt is not { } deadline || session.ExpiryTimer is null)
            {
                return;
            }

            if (deadline > time.GetUtcNow())
            {
                // A fresh token moved the deadline, or the timer fired a little early or after LongestWait.
                session.ExpiryTimer.Change(Wait(deadline), Timeout.InfiniteTimeSpan);
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

    private TimeSpan Wait(DateTimeOffset deadline)
    {
        var left = deadline - time.GetUtcNow();
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < LongestWait ? left + TimeSpan.FromMilliseconds(1) : LongestWait;
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
}
