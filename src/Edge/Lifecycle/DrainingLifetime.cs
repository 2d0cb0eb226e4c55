using System.Runtime.InteropServices;

namespace CardGame.Edge.Lifecycle;

/// <summary>
/// The edge's host lifetime: SIGTERM, SIGINT or SIGQUIT first drains the edge (<see cref="EdgeDrain"/>), then stops the
/// host. The stock console lifetime would stop at once, and stopping the host closes every SignalR connection without
/// a word. A second signal during the drain stops at once.
/// </summary>
public sealed partial class DrainingLifetime(IHostApplicationLifetime application, EdgeDrain drain, ILogger<DrainingLifetime> logger)
    : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (drain.IsDraining)
        {
            application.StopApplication();
            return;
        }

        LogSignal(logger, context.Signal);
        _ = DrainThenStopAsync();
    }

    private async Task DrainThenStopAsync()
    {
        try
        {
            await drain.DrainAsync(application.ApplicationStopping);
        }
        catch (Exception ex)
        {
            LogDrainFailed(logger, ex);
        }
        finally
        {
            application.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Signal} received: draining, then stopping")]
    private static partial void LogSignal(ILogger logger, PosixSignal signal);

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining failed; stopping")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
