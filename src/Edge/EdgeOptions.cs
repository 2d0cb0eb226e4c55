using System.ComponentModel.DataAnnotations;

namespace CardGame.Edge;

/// <summary>Edge node settings, section <c>Edge</c>. Every key is documented with its default in docs/configuration.md.</summary>
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

    /// <summary>
    /// Whether the edge refreshes only the tables that delivered nothing to it within the refresh period: it tells the
    /// tables it refuses the batches of tables it does not follow, and a table that knows this (of this version or
    /// later) renews the subscription with each batch the edge takes. False: every table is refreshed each period, as
    /// by an edge of an earlier version. Default true.
    /// </summary>
    public bool RefreshQuietTablesOnly { get; set; } = true;

    /// <summary>
    /// Milliseconds after which a grain call that is safe to repeat (a move with its <c>moveId</c>, <c>GetTable</c>,
    /// <c>Resume</c>) and has no answer yet is sent again (at most twice); the first answer wins. 0 turns it off.
    /// Default 1000.
    /// </summary>
    [Range(0, 60_000)]
    public int HedgeAfterMilliseconds { get; set; } = 1000;

    /// <summary>Hub invocations a connection may make per second, sustained. Default 20.</summary>
    [Range(1, 100_000)]
    public int InvocationsPerSecond { get; set; } = 20;

    /// <summary>Hub invocations a connection may make in a burst. Default 40.</summary>
    [Range(1, 100_000)]
    public int InvocationBurst { get; set; } = 40;

    /// <summary>
    /// Table events this edge has accepted and not yet handed to its connections. A table's batch that would go beyond
    /// it is refused, so the table counts a failed delivery and, after a few in a row, drops this edge (its clients
    /// resync with Resume once the edge has subscribed again). Default 20000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedTableEvents { get; set; } = 20_000;

    /// <summary>Events queued for one connection that has not taken them; beyond that it is closed (it resyncs on reconnect). Default 1000.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedEventsPerConnection { get; set; } = 1000;

    /// <summary>Seconds a connection may stay open without authenticating; then it is closed with <c>auth_required</c>. Default 10.</summary>
    [Range(1, 3600)]
    public double AuthenticateWithinSeconds { get; set; } = 10;

    /// <summary>Connections one player may hold open on this edge (browser tabs); one more is closed with <c>limit_reached</c>. Default 8.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerPlayer { get; set; } = 8;

    /// <summary>Connections one client address may hold open on this edge, signed in or not; one more is closed with <c>limit_reached</c>. Default 100.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>Guest sign-ins one client address may make per minute, sustained; beyond that <c>429</c> with <c>Retry-After</c>. Default 20.</summary>
    [Range(1, 1_000_000)]
    public int GuestSignInsPerMinute { get; set; } = 20;

    /// <summary>Guest sign-ins one client address may make in a burst. Default 20.</summary>
    [Range(1, 1_000_000)]
    public int GuestSignInBurst { get; set; } = 20;

    /// <summary>
    /// Open connections of any kind (HTTP and WebSocket, each counted by Kestrel) this edge accepts; beyond that Kestrel
    /// refuses new ones. Default 20,000 (about 560 MiB of connection state at 28 KiB each).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>
    /// Proxies (addresses, or networks as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
    /// headers are believed: the client address of a request from one of them is the last address the proxy added.
    /// Requests from anywhere else are taken at their own address. Default: loopback only (127.0.0.0/8, ::1).
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    public TimeSpan AuthenticateWithin => TimeSpan.FromSeconds(AuthenticateWithinSeconds);

    /// <summary>
    /// Seconds a stopping edge (SIGTERM) waits for its clients to move to another edge after telling them to, before it
    /// stops. Default 20.
    /// </summary>
    [Range(0, 600)]
    public double DrainSeconds { get; set; } = 20;

    /// <summary>
    /// Over how many milliseconds a draining edge spreads telling its clients to move (in 8 waves), so the edges they
    /// reconnect to (in a rolling restart, one started a moment before) take them a few at a time instead of all at
    /// once; clients not told yet play on here meanwhile. At most half of <see cref="DrainSeconds"/>. Default 2000; 0
    /// tells every client at once.
    /// </summary>
    [Range(0, 60_000)]
    public int DrainSpreadMilliseconds { get; set; } = 2000;

    /// <summary>
    /// Send a table's calls (moves, views, resume, subscriptions) through the gateway of the silo that hosts it, learnt
    /// from the table's previous answer, over one extra cluster connection per silo; false sends every call through
    /// the gateway Orleans picks by the grain's hash, which forwards it to the hosting silo (N−1)/N of the time with N
    /// silos. Default true.
    /// </summary>
    public bool RouteTableCalls { get; set; } = true;

    /// <summary>
    /// Run the code that reads and writes client sockets on the thread where the socket's I/O completed, instead of
    /// handing it to the thread pool (Kestrel's <c>SocketTransportOptions.UnsafePreferInlineScheduling</c>): an event
    /// written to a connection reaches the socket on the writing thread, and a client's message is read on the pool
    /// thread that received it, each without a thread-pool hop (a wake-up) of its own. On Linux a socket's completion
    /// already runs on a pool thread (not the epoll thread, unless <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>,
    /// which the servers do not set), so this only runs on that thread what would otherwise be queued behind it; the
    /// edge's request handling never blocks a thread (hub methods await their grain calls). Default true.
    /// </summary>
    public bool InlineSocketScheduling { get; set; } = true;

    /// <summary>
    /// Ask for a move's events with the table's answer (<c>ITableGrain.EventsWithAnswer</c>): a table with nothing
    /// queued for this edge then sends them with the answer instead of calling this edge's observer (a call and its
    /// acknowledgment fewer per move). Default true.
    /// </summary>
    public bool MoveEventsWithAnswer { get; set; } = true;

    public TimeSpan SubscriptionRefresh => TimeSpan.FromSeconds(SubscriptionRefreshSeconds);
}
