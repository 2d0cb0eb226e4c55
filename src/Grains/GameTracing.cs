using System.Diagnostics;

namespace CardGame.Grains;

/// <summary>
/// The table grain's spans (activity source <c>CardGame.Tables</c>): <c>table.persist</c> (the state write) and
/// <c>table.publish</c> (the events handed to the subscribed edges) and <c>table.deliver</c> (one batch of them sent to
/// one edge, in the trace of the move that published its newest events). With <c>Tracing:OtlpEndpoint</c> set, Orleans
/// propagates the trace of the edge's call, so these spans sit under the move that caused them; otherwise nobody
/// listens and starting a span costs a null check.
/// </summary>
public static class GameTracing
{
    public const string SourceName = "CardGame.Tables";

    /// <summary>The configuration key whose value (an OTLP endpoint) turns tracing on.</summary>
    public const string OtlpEndpointKey = "Tracing:OtlpEndpoint";

    internal static readonly ActivitySource Source = new(SourceName);
}
