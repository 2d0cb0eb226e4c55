using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;

namespace CardGame.LoadTest.Running;

/// <summary>
/// Open loop: moves fall due at a fixed rate whatever the server does, spread evenly over the tables: due move n
/// belongs to table n mod T, so each table is asked for one move every T ÷ rate seconds, and at most
/// <see cref="MaxPerTable"/> a second (no more than turns allow: a table plays one move at a time, so asking more of it
/// would measure queueing behind its own players' turns, not the server). A table's due move goes to its player whose
/// turn it is as soon as that player is ready; until then it waits in the table's backlog, and its latency counts from
/// when it was due (no coordinated omission). A due move that waited more than 5 s is dropped; dropped moves and
/// moves still waiting at the end are misses (<see cref="RunMetrics.NeverSent"/>), not left out.
/// </summary>
public sealed class OpenLoopPacer : IPacer
{
    /// <summary>The most moves a second the open loop asks of one table.</summary>
    public const double MaxPerTable = 1.0;

    private readonly Lock _lock = new();
    private readonly double _rate;
    private readonly RunMetrics _metrics;
    private readonly IActor?[] _ready;
    private readonly Queue<long>[] _backlog;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _maxWait = Clock.FromSeconds(5);
    private long _start;
    private long _scheduled;
    private long _issued;
    private long _dropped;
    private bool _running;

    public OpenLoopPacer(double rate, int tables, RunMetrics metrics)
    {
        if (rate > tables * MaxPerTable)
        {
            throw new ArgumentException(
                $"--rate {rate:0.#} asks more than {MaxPerTable:0.#} move a second of each of {tables} tables: use at least "
                + $"{Math.Ceiling(rate / MaxPerTable):0} tables (players ÷ seats)", nameof(rate));
        }

        _rate = rate;
        _metrics = metrics;
        _ready = new IActor?[tables];
        _backlog = [.. Enumerable.Range(0, tables).Select(_ => new Queue<long>())];
    }

    public OpenLoopStats? Stats
    {
        get
        {
            lock (_lock)
            {
                return new OpenLoopStats(_rate, _scheduled, _issued, _dropped, _backlog.Sum(b => b.Count));
            }
        }
    }

    public void Request(IActor actor)
    {
        long due;
        lock (_lock)
        {
            var backlog = _backlog[actor.Table];
            if (!_running || !backlog.TryDequeue(out due))
            {
                _ready[actor.Table] = actor;
                return;
            }

            _issued++;
        }

        _ = Task.Run(() => actor.ActAsync(due));
    }

    public void Start()
    {
        lock (_lock)
        {
            _start = Clock.Now;
            _running = true;
        }

        // A dedicated thread sleeping 1 ms at a time keeps the schedule tighter than a timer would.
        new Thread(Tick) { IsBackground = true, Name = "open-loop pacer" }.Start();
    }

    public void Stop()
    {
        lock (_lock)
        {
            _running = false;
        }

        _stop.Cancel();
    }

    /// <summary>Moves still waiting in a backlog were due and never sent: misses.</summary>
    public void Close(long now)
    {
        lock (_lock)
        {
            foreach (var backlog in _backlog)
            {
                while (backlog.TryDequeue(out var due))
                {
                    _metrics.NeverSent(due, now);
                }
            }
        }
    }

    private void Tick()
    {
        var dispatch = new List<(IActor Actor, long Due)>();
        while (!_stop.IsCancellationRequested)
        {
            Thread.Sleep(1);
            var now = Clock.Now;
            lock (_lock)
            {
                // Stopped while this loop slept: schedule nothing more (Stop returns before the loop sees its token, and a
                // move scheduled after it would be a miss that was never due in the run).
                if (!_running)
                {
                    break;
                }

                var owed = (long)(Clock.Microseconds(_start, now) / 1_000_000.0 * _rate);
                while (_scheduled < owed)
                {
                    var due = _start + Clock.FromSeconds(_scheduled / _rate);
                    var table = (int)(_scheduled % _ready.Length);
                    _scheduled++;
                    if (_ready[table] is { } actor)
                    {
                        _ready[table] = null;
                        _issued++;
                        dispatch.Add((actor, due));
                        continue;
                    }

                    var backlog = _backlog[table];
                    backlog.Enqueue(due);
                    while (backlog.TryPeek(out var oldest) && now - oldest > _maxWait)
                    {
                        backlog.Dequeue();
                        _dropped++;
                        _metrics.NeverSent(oldest, now);
                    }
                }
            }

            foreach (var (actor, due) in dispatch)
            {
                _ = Task.Run(() => actor.ActAsync(due));
            }

            dispatch.Clear();
        }
    }
}
