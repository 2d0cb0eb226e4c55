using System.Threading.RateLimiting;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Application;

/// <summary>
/// At most <see cref="EdgeOptions.InvocationsPerSecond"/> requests per second per connection, in bursts of up to
/// <see cref="EdgeOptions.InvocationBurst"/> (a token bucket), on every transport. A request over the limit fails with
/// <c>rate_limited</c> before it reaches the application, so it changes nothing.
/// </summary>
public sealed partial class RequestLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly GameError _limited;
    private readonly ILogger<RequestLimiter> _logger;

    public RequestLimiter(IOptions<EdgeOptions> options, ILogger<RequestLimiter> logger)
    {
        var edge = options.Value;
        _logger = logger;
        _limited = new GameError(ErrorCodes.RateLimited, $"at most {edge.InvocationsPerSecond} invocations per second (bursts of {edge.InvocationBurst}); slow down");
        // One limiter per connection; the partitioned limiter replenishes them all from one timer and drops idle ones.
        _limiter = PartitionedRateLimiter.Create<string, string>(connectionId => RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = edge.InvocationBurst,
            TokensPerPeriod = edge.InvocationsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        }));
    }

    /// <summary>Counts one request of <paramref name="session"/>; fails with <c>rate_limited</c> when over the limit.</summary>
    public void Acquire(ClientSession session, string request)
    {
        using var lease = _limiter.AttemptAcquire(session.Connection.Id);
        if (!lease.IsAcquired)
        {
            LogRateLimited(_logger, session.Connection.Id, request);
            throw new GameException(_limited);
        }
    }

    public void Dispose() => _limiter.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} is rate limited ({Method})")]
    private static partial void LogRateLimited(ILogger logger, string connectionId, string method);
}
