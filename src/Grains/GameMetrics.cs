using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CardGame.Grains;

/// <summary>The silo's game metrics (meter <c>CardGame.Tables</c>), exported with the silo's OpenTelemetry metrics.</summary>
public sealed class GameMetrics
{
    public const string MeterName = "CardGame.Tables";

    private readonly Counter<long> _events;
    private readonly Counter<long> _rejections;
    private readonly UpDownCounter<long> _activeTables;
    private readonly Histogram<double> _writeDuration;

    public GameMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>("cardgame.table.events", description: "Table events persisted and published, by kind");
        _rejections = meter.CreateCounter<long>("cardgame.table.rejections", description: "Actions a table rejected, by error code");
        _activeTables = meter.CreateUpDownCounter<long>("cardgame.tables.active", description: "Tables (rooms that exist) hosted on this silo");
        _writeDuration = meter.CreateHistogram<double>("cardgame.table.write.duration", unit: "ms", description: "Time to persist a table change");
    }

    public void EventPublished(string kind) => _events.Add(1, new TagList { { "kind", kind } });

    public void Rejected(string code) => _rejections.Add(1, new TagList { { "code", code } });

    /// <summary>A room that exists came to be hosted here (activated with state, created, or migrated in).</summary>
    public void TableHosted() => _activeTables.Add(1);

    /// <summary>A hosted room left this silo (deactivated or migrated away) or stopped existing (closed).</summary>
    public void TableReleased() => _activeTables.Add(-1);

    public void Persisted(TimeSpan elapsed) => _writeDuration.Record(elapsed.TotalMilliseconds);
}
