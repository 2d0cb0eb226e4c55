using System.Diagnostics;
using System.Diagnostics.Metrics;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Observability;

/// <summary>The edge's metrics (meter <c>CardGame.Edge</c>), served at <c>/metrics</c> with ASP.NET Core's own.</summary>
public sealed class EdgeMetrics
{
    public const string MeterName = "CardGame.Edge";

    private readonly Counter<long> _invocations;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public EdgeMetrics(IMeterFactory meterFactory, LocalPlayers players, TableSeats seats, TableSubscriptions subscriptions, TableEventFanOut fanOut)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("cardgame.edge.connections", () => players.TotalConnections, description: "Live hub connections on this edge");
        meter.CreateObservableGauge("cardgame.edge.players", () => players.PlayerCount, description: "Players connected to this edge");
        meter.CreateObservableGauge("cardgame.edge.seated_players", () => seats.SeatedPlayerCount(), description: "Players of this edge seated at a table");
        meter.CreateObservableGauge("cardgame.edge.subscriptions", () => subscriptions.Count, description: "Tables this edge subscribes to");
        meter.CreateObservableCounter("cardgame.edge.table_follows", () => subscriptions.FollowsSent, description: "Follow calls this edge sent to tables: its subscriptions and their periodic refreshes");
        meter.CreateObservableCounter("cardgame.edge.table_refreshes_skipped", () => subscriptions.RefreshesSkipped, description: "Refreshes of a table's subscription not sent because the table renewed it with a delivery within the period");
        meter.CreateObservableCounter("cardgame.edge.table_batches_not_followed", () => fanOut.NotFollowedBatches, description: "Table event batches refused because this edge does not follow the table (the table drops this edge)");
        meter.CreateObservableGauge("cardgame.edge.table_events_queued", () => fanOut.QueuedEvents, description: "Table events accepted and not yet handed to connections (at most Edge:MaxQueuedTableEvents)");
        meter.CreateObservableCounter("cardgame.edge.table_batches_refused", () => fanOut.RefusedBatches, description: "Table event batches refused because this edge was Edge:MaxQueuedTableEvents behind");
        meter.CreateObservableCounter("cardgame.edge.table_event_gaps_filled", () => fanOut.GapsFilled, description: "Gaps in a table's events found by this edge and filled from the table's log before anything after them was passed on");
        meter.CreateObservableCounter("cardgame.edge.table_event_gaps_left", () => fanOut.GapsLeft, description: "Gaps in a table's events the table no longer remembered, passed on to the clients (who resync with Resume)");
        _invocations = meter.CreateCounter<long>("cardgame.edge.invocations", description: "Hub invocations, by method and outcome");
        _errors = meter.CreateCounter<long>("cardgame.edge.errors", description: "Failed hub invocations, by error code");
        _duration = meter.CreateHistogram<double>("cardgame.edge.invocation.duration", unit: "ms", description: "Hub invocation latency, by method");
    }

    public void Invoked(string method, string? errorCode, TimeSpan elapsed)
    {
        var tags = new TagList { { "method", method }, { "outcome", errorCode is null ? "ok" : "error" } };
        _invocations.Add(1, tags);
        _duration.Record(elapsed.TotalMilliseconds, new TagList { { "method", method } });
        if (errorCode is not null)
        {
            _errors.Add(1, new TagList { { "code", errorCode } });
        }
    }
}
