using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Metrics;

namespace CardGame.LoadTest.Running;

/// <summary>What every simulated player of a run shares.</summary>
public sealed class RunContext : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public RunContext(LoadTestOptions options, Func<RunMetrics, IPacer> pacer)
    {
        Options = options;
        Pacer = pacer(Metrics);
    }

    public LoadTestOptions Options { get; }

    public IPacer Pacer { get; }

    public RunMetrics Metrics { get; } = new();

    public Violations Violations { get; } = new();

    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public CancellationToken Stopping => _stopping.Token;

    public bool IsStopping => _stopping.IsCancellationRequested;

    public void Stop() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        Http.Dispose();
    }
}
