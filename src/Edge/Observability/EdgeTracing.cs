using System.Diagnostics;

namespace CardGame.Edge.Observability;

/// <summary>
/// Tracing of a move across the edge (SignalR's hub-invocation span), the Orleans calls it makes and the table's spans,
/// and back to the edges that deliver its events (<c>edge.deliver</c>, activity source <c>CardGame.Edge</c>). Off unless
/// <c>Tracing:OtlpEndpoint</c> is set; then exported over OTLP to that endpoint.
/// </summary>
public static class EdgeTracing
{
    public const string SourceName = "CardGame.Edge";

    /// <summary>The configuration key whose value (an OTLP endpoint, e.g. http://collector:4317) turns tracing on.</summary>
    public const string OtlpEndpointKey = "Tracing:OtlpEndpoint";

    /// <summary>The activity sources a trace of a move is made of, on an edge.</summary>
    public static readonly string[] Sources =
        [SourceName, "Microsoft.AspNetCore.SignalR.Server", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    internal static readonly ActivitySource Source = new(SourceName);

    public static Uri? Endpoint(IConfiguration config) =>
        config[OtlpEndpointKey] is { Length: > 0 } endpoint ? new Uri(endpoint) : null;

    /// <summary>
    /// The trace an incoming table batch belongs to: the current activity, or the context Orleans carried in the call
    /// (an Orleans client only propagates outgoing calls, so an observer call arrives without an activity).
    /// </summary>
    public static ActivityContext IncomingContext()
    {
        if (Activity.Current is { } current)
        {
            return current.Context;
        }

        return RequestContext.Get("traceparent") is string parent
            && ActivityContext.TryParse(parent, RequestContext.Get("tracestate") as string, isRemote: true, out var context)
            ? context
            : default;
    }
}
