using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;

namespace CardGame.LoadTest.Running;

/// <summary>
/// Open loop: moves fall due at a fixed rate whatever the server does. A due move goes to the player who has waited
/// longest for its turn; when no player is ready, the due time waits in a backlog and the next ready player takes it,
/// so its latency counts from when the move was due and slow responses are not hidden (no coordinated omission).
/// </summary>
public sealed class OpenLoopPacer(double rate) : IPacer
{
    private readonly Lock _lock = new();
    private readonly Queue<IActor> _ready = new();
    private readonly Queue<long> _backlog = new();
    private readonly CancellationTokenSource _stop = new();
    private long _start;
    private long _scheduled;
    private long _issued;
    private long _dropped;
    private bool _running;

    public OpenLoopStats? Stats
    {
        get
        {
            lock (_lock)
            {
                return new OpenLoopStats(rate, _scheduled, _issued, _dropped, _backlog.Count);
            }
        }
    }

    public void Request(IActor actor)
    {
        long due;
        lock (_lock)
        {
            if (!_running || !_backlog.TryDequeue(out due))
            {
                _ready.Enqueue(actor);
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

    private void Tick()
    {
        var maxBacklog = (long)Math.Max(1, rate * 5);
        var dispatch = new List<(IActor Actor, long Due)>();
        while (!_stop.IsCancellationRequested)
        {
            Thread.Sleep(1);
            var now = Clock.Now;
            lock (_lock)
            {
                var owed = (long)(Clock.Microseconds(_start, now) / 1_000_000.0 * rate);
                while (_scheduled < owed)
                {
                    var due = _start + Clock.FromSeconds(_scheduled / rate);
                    _scheduled++;
                    if (_ready.TryDequeue(out var actor))
                    {
                        _issued++;
                        dispatch.Add((actor, due));
                    }
                    else
                    {
                        _backlog.Enqueue(due);
                        if (_backlog.Count > maxBacklog)
                        {
                            _backlog.Dequeue();
                            _dropped++;
                        }
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
