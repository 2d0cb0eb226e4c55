using System.Collections.Concurrent;

namespace CardGame.LoadTest.Metrics;

/// <summary>
/// What a run counts. Throughput counters and histograms cover the moves due inside the measurement window only
/// (<see cref="StartMeasuring"/> resets them after the warm-up, <see cref="EndMeasuring"/> closes the window); errors and
/// connection failures count over the whole run.
/// </summary>
/// <remarks>
/// Every move due inside the window is followed until it is acknowledged and until every other seat has its event.
/// A move due in the window that was never sent, never acknowledged or never delivered by <see cref="Close"/> is a
/// miss: it is counted, and recorded in the latency histograms with the time from when it was due until the close (a
/// lower bound of a latency it never had), so it cannot vanish from the percentiles.
/// </remarks>
public sealed class RunMetrics
{
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private readonly ConcurrentDictionary<string, string> _errorSamples = new();
    private readonly ConcurrentDictionary<long, PendingMove> _pending = new();
    private long _nextMove;
    private long _due;
    private long _ackMisses;
    private long _fanoutMisses;
    private bool _closed;
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

    /// <summary>The moves that were slow or failed, attempt by attempt.</summary>
    public MoveLog Moves { get; } = new();

    /// <summary>Invocation to acknowledgment (open loop: from the scheduled time).</summary>
    public LatencyHistogram Ack { get; } = new();

    /// <summary>Invocation sent until every other seat of the table received the event.</summary>
    public LatencyHistogram FanoutAll { get; } = new();

    /// <summary>Invocation sent until one other seat received the event (one sample per receiving seat).</summary>
    public LatencyHistogram Delivery { get; } = new();

    /// <summary>The window's fan-outs by when their moves were due, to match slow ones to what the servers did then.</summary>
    public FanoutTimeline FanoutTimeline { get; } = new();

    public long MeasureStart { get; private set; }

    /// <summary>End of the measurement window (moves due from then on are not counted); long.MaxValue while open.</summary>
    public long MeasureEnd { get; private set; } = long.MaxValue;

    public bool Measuring { get; private set; }

    /// <summary>Moves due inside the measurement window (sent or not).</summary>
    public long Due => Interlocked.Read(ref _due);

    /// <summary>Moves due in the window never acknowledged (never sent, dropped, rejected or unanswered) by the close.</summary>
    public long AckMisses => Interlocked.Read(ref _ackMisses);

    /// <summary>Moves due in the window whose event had not reached every other seat by the close.</summary>
    public long FanoutMisses => Interlocked.Read(ref _fanoutMisses);

    /// <summary>Moves due in the window still waiting for their acknowledgment or their fan-out.</summary>
    public int Pending => _pending.Count;

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

    /// <summary>The first message seen of each error code (what the server or the client library said).</summary>
    public IReadOnlyDictionary<string, string> ErrorSamples => new SortedDictionary<string, string>(_errorSamples);

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
        FanoutTimeline.Reset(MeasureStart, DateTime.UtcNow);
        Measuring = true;
    }

    /// <summary>Closes the window: moves due from now on are not counted (those due before are still followed).</summary>
    public void EndMeasuring(long at) => MeasureEnd = at;

    /// <summary>Whether a move due at <paramref name="due"/> is one the report counts.</summary>
    public bool InWindow(long due) => Measuring && due >= MeasureStart && due < MeasureEnd;

    /// <summary>
    /// A move due at <paramref name="due"/> is being sent. Returns its ticket (0 when it is outside the window), to pass
    /// to <see cref="ActionDone"/> and <see cref="FannedOut"/>.
    /// </summary>
    public long MoveSent(long due, bool fansOut = true)
    {
        lock (_pending)
        {
            if (!InWindow(due) || _closed)
            {
                return 0;
            }

            Interlocked.Increment(ref _due);
            var ticket = ++_nextMove;
            _pending[ticket] = new PendingMove(due) { FannedOut = !fansOut };
            return ticket;
        }
    }

    /// <summary>A move due at <paramref name="due"/> was never sent (dropped by the open loop, or still waiting at the close).</summary>
    public void NeverSent(long due, long now)
    {
        lock (_pending)
        {
            if (!InWindow(due) || _closed)
            {
                return;
            }

            Interlocked.Increment(ref _due);
            Miss(due, now, ack: true, fanout: true);
        }
    }

    /// <summary>A move was acknowledged (successfully) at <paramref name="at"/>.</summary>
    public void ActionDone(long ticket, long at)
    {
        Interlocked.Increment(ref _allActions);
        if (ticket == 0)
        {
            return;
        }

        lock (_pending)
        {
            if (!_pending.TryGetValue(ticket, out var move) || move.Acked)
            {
                return;
            }

            move.Acked = true;
            Interlocked.Increment(ref _actions);
            Ack.RecordElapsed(move.Due, at);
            if (move.FannedOut)
            {
                _pending.TryRemove(ticket, out _);
            }
        }
    }

    /// <summary>The event of a move reached every other seat of its table at <paramref name="at"/>.</summary>
    public void FannedOut(long ticket, long at)
    {
        if (ticket == 0)
        {
            return;
        }

        lock (_pending)
        {
            if (!_pending.TryGetValue(ticket, out var move) || move.FannedOut)
            {
                return;
            }

            move.FannedOut = true;
            FanoutAll.RecordElapsed(move.Due, at);
            FanoutTimeline.Record(move.Due, at);
            if (move.Acked)
            {
                _pending.TryRemove(ticket, out _);
            }
        }
    }

    /// <summary>
    /// Ends the following of moves: every move due in the window still without its acknowledgment or its fan-out is a
    /// miss, recorded with the time from when it was due until <paramref name="now"/>.
    /// </summary>
    public void Close(long now)
    {
        lock (_pending)
        {
            _closed = true;
            foreach (var move in _pending.Values)
            {
                Miss(move.Due, now, ack: !move.Acked, fanout: !move.FannedOut);
            }

            _pending.Clear();
        }
    }

    private void Miss(long due, long now, bool ack, bool fanout)
    {
        if (ack)
        {
            Interlocked.Increment(ref _ackMisses);
            Ack.RecordElapsed(due, now);
        }

        if (fanout)
        {
            Interlocked.Increment(ref _fanoutMisses);
            FanoutAll.RecordElapsed(due, now);
            FanoutTimeline.Record(due, now);
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

    public void Error(string code, string? message = null)
    {
        _errors.AddOrUpdate(code, 1, (_, n) => n + 1);
        if (message is not null)
        {
            _errorSamples.TryAdd(code, message.Length > 300 ? message[..300] : message);
        }
    }

    private sealed class PendingMove(long due)
    {
        public long Due { get; } = due;

        public bool Acked { get; set; }

        public bool FannedOut { get; set; }
    }
}
