using System.Collections.Concurrent;

namespace CardGame.LoadTest.Metrics;

/// <summary>
/// What a run counts. Throughput counters and histograms cover the measurement window only (<see cref="StartMeasuring"/>
/// resets them after the warm-up); errors and connection failures count over the whole run.
/// </summary>
public sealed class RunMetrics
{
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private long _actions;
    private long _allActions;
    private long _starts;
    private long _finished;
    private long _events;
    private long _connected;
    private long _connectFailures;
    private long _connectionsLost;
    private long _reconnects;
    private long _movesResent;
    private long _seated;

    /// <summary>Invocation to acknowledgment (open loop: from the scheduled time).</summary>
    public LatencyHistogram Ack { get; } = new();

    /// <summary>Invocation sent until every other seat of the table received the event.</summary>
    public LatencyHistogram FanoutAll { get; } = new();

    /// <summary>Invocation sent until one other seat received the event (one sample per receiving seat).</summary>
    public LatencyHistogram Delivery { get; } = new();

    public long MeasureStart { get; private set; }

    public bool Measuring { get; private set; }

    public long Actions => Interlocked.Read(ref _actions);

    /// <summary>Moves acknowledged since the start, warm-up included (for live progress).</summary>
    public long AllActions => Interlocked.Read(ref _allActions);

    public long Starts => Interlocked.Read(ref _starts);

    public long GamesFinished => Interlocked.Read(ref _finished);

    public long Events => Interlocked.Read(ref _events);

    public long Connected => Interlocked.Read(ref _connected);

    public long Seated => Interlocked.Read(ref _seated);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    public long ConnectionsLost => Interlocked.Read(ref _connectionsLost);

    /// <summary>Connections that dropped and came back (the player resumed its table with <c>Resume</c>).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Moves sent again with the same moveId because their answer was lost.</summary>
    public long MovesResent => Interlocked.Read(ref _movesResent);

    public long ErrorTotal => _errors.Values.Sum();

    public IReadOnlyDictionary<string, long> Errors => new SortedDictionary<string, long>(_errors);

    public void StartMeasuring()
    {
        Interlocked.Exchange(ref _actions, 0);
        Interlocked.Exchange(ref _starts, 0);
        Interlocked.Exchange(ref _finished, 0);
        Interlocked.Exchange(ref _events, 0);
        Ack.Reset();
        FanoutAll.Reset();
        Delivery.Reset();
        MeasureStart = Clock.Now;
        Measuring = true;
    }

    /// <summary>A move was acknowledged; <paramref name="counted"/> when it was due inside the measurement window.</summary>
    public void ActionDone(bool counted)
    {
        Interlocked.Increment(ref _allActions);
        if (counted)
        {
            Interlocked.Increment(ref _actions);
        }
    }

    public void GameStarted() => Interlocked.Increment(ref _starts);

    public void GameFinished() => Interlocked.Increment(ref _finished);

    public void EventReceived() => Interlocked.Increment(ref _events);

    public void PlayerConnected() => Interlocked.Increment(ref _connected);

    public void PlayerSeated() => Interlocked.Increment(ref _seated);

    public void ConnectFailed() => Interlocked.Increment(ref _connectFailures);

    public void ConnectionLost()
    {
        Interlocked.Increment(ref _connectionsLost);
        Interlocked.Decrement(ref _connected);
    }

    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    public void MoveResent() => Interlocked.Increment(ref _movesResent);

    public void Error(string code) => _errors.AddOrUpdate(code, 1, (_, n) => n + 1);
}
