using System.Threading.RateLimiting;
using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>
/// At most <see cref="EdgeOptions.InvocationsPerSecond"/> invocations per second per connection, in bursts of up to
/// <see cref="EdgeOptions.InvocationBurst"/> (a token bucket). An invocation over the limit fails with
/// <c>rate_limited</c> before it reaches the hub, so it changes nothing.
/// </summary>
public sealed partial class InvocationRateLimitFilter : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly string _message;
    private readonly ILogger<InvocationRateLimitFilter> _logger;

    public InvocationRateLimitFilter(IOptions<EdgeOptions> options, ILogger<InvocationRateLimitFilter> logger)
    {
        var edge = options.Value;
        _logger = logger;
        _message = $"at most {edge.InvocationsPerSecond} invocations per second (bursts of {edge.InvocationBurst}); slow down";
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

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using var lease = _limiter.AttemptAcquire(invocationContext.Context.ConnectionId);
        if (!lease.IsAcquired)
        {
            LogRateLimited(_logger, invocationContext.Context.ConnectionId, invocationContext.HubMethodName);
            throw GameErrors.Create(ErrorCodes.RateLimited, _message);
        }

        return next(invocationContext);
    }

    public void Dispose() => _limiter.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} is rate limited ({Method})")]
    private static partial void LogRateLimited(ILogger logger, string connectionId, string method);
}
