using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Application;

/// <summary>
/// At most <see cref="EdgeOptions.InvocationsPerSecond"/> requests per second per connection, in bursts of up to
/// <see cref="EdgeOptions.InvocationBurst"/> (a token bucket), on every transport. A request over the limit fails with
/// <c>rate_limited</c> before it reaches the application, so it changes nothing. Each connection's bucket is two fields
/// of its session, refilled when a request comes (by the time since its last one), so nothing runs between requests:
/// a partitioned limiter's timer had walked every active connection's bucket ten times a second (2-3 % of an edge's CPU
/// under game load, whether or not anyone moved).
/// </summary>
public sealed partial class RequestLimiter(IOptions<EdgeOptions> options, TimeProvider time, ILogger<RequestLimiter> logger)
{
    private readonly int _burst = options.Value.InvocationBurst;
    private readonly double _tokensPerTick = (double)options.Value.InvocationsPerSecond / time.TimestampFrequency;
    private readonly GameError _limited = new(ErrorCodes.RateLimited,
        $"at most {options.Value.InvocationsPerSecond} invocations per second (bursts of {options.Value.InvocationBurst}); slow down");

    /// <summary>Counts one request of <paramref name="session"/>; fails with <c>rate_limited</c> when over the limit.</summary>
    public void Acquire(ClientSession session, string request)
    {
        var now = time.GetTimestamp();
        bool acquired;
        lock (session.Gate)
        {
            // A connection starts with a full bucket; it refills at the sustained rate up to the burst.
            var tokens = session.RequestTokensAt is { } at
                ? Math.Min(_burst, session.RequestTokens + (Math.Max(now - at, 0) * _tokensPerTick))
                : _burst;
            acquired = tokens >= 1;
            session.RequestTokens = acquired ? tokens - 1 : tokens;
            session.RequestTokensAt = now;
        }

        if (!acquired)
        {
            LogRateLimited(logger, session.Connection.Id, request);
            throw new GameException(_limited);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} is rate limited ({Method})")]
    private static partial void LogRateLimited(ILogger logger, string connectionId, string method);
}
