using System.Collections.Concurrent;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>Keeps every log line an edge writes (message and exception), so tests can look for what must never be logged.</summary>
[ProviderAlias("Capture")]
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>
    /// Called with each line as it is written, on the writer's thread: a test can note what the edge's state was at that
    /// moment (e.g. the refresh tick a subscription was made in).
    /// </summary>
    public event Action<string>? Written;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join(" ", values.Select(v => $"{v.Key}={v.Value}"))
                : "";
            var line = $"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}";
            capture._lines.Enqueue(line);
            capture.Written?.Invoke(line);
        }
    }
}
