using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Observability;

/// <summary>The outermost hub filter: times every invocation and counts its outcome by the contract's error code.</summary>
public sealed class MetricsHubFilter(EdgeMetrics metrics) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await next(invocationContext);
            metrics.Invoked(invocationContext.HubMethodName, null, Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (HubException ex)
        {
            var colon = ex.Message.IndexOf(':', StringComparison.Ordinal);
            metrics.Invoked(invocationContext.HubMethodName, colon > 0 ? ex.Message[..colon] : "unknown", Stopwatch.GetElapsedTime(started));
            throw;
        }
    }
}
