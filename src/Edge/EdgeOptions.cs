using System.ComponentModel.DataAnnotations;

namespace CardGame.Edge;

/// <summary>Edge node settings, section <c>Edge</c>. Every key is documented with its default in docs/protocol.md.</summary>
public sealed class EdgeOptions
{
    public const string SectionName = "Edge";

    /// <summary>
    /// Browser origins (e.g. <c>https://cards.example.com</c>) allowed to open the hub besides the edge's own origin
    /// (same host and port as the request). <c>*</c> allows any. Requests without an Origin header (non-browser
    /// clients) are always allowed. Default: none.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Seconds between re-subscriptions to the tables local players sit at (tables expire them after 60 s). Default 10.</summary>
    [Range(0.1, 50)]
    public double SubscriptionRefreshSeconds { get; set; } = 10;

    /// <summary>Seconds between reports of every local player's connection count (players treat 60 s of silence as gone). Default 20.</summary>
    [Range(0.1, 50)]
    public double ConnectionReportSeconds { get; set; } = 20;

    /// <summary>Hub invocations a connection may make per second, sustained. Default 20.</summary>
    [Range(1, 100_000)]
    public int InvocationsPerSecond { get; set; } = 20;

    /// <summary>Hub invocations a connection may make in a burst. Default 40.</summary>
    [Range(1, 100_000)]
    public int InvocationBurst { get; set; } = 40;

    /// <summary>Events queued for one connection that has not taken them; beyond that it is closed (it resyncs on reconnect). Default 1000.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedEventsPerConnection { get; set; } = 1000;

    public TimeSpan SubscriptionRefresh => TimeSpan.FromSeconds(SubscriptionRefreshSeconds);

    public TimeSpan ConnectionReport => TimeSpan.FromSeconds(ConnectionReportSeconds);
}
