using CardGame.Edge.Hub;
using CardGame.Edge.Sockets;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Lifecycle;

/// <summary>
/// A graceful stop of this edge (SIGTERM, see <see cref="DrainingLifetime"/>): readiness fails at once and new hub
/// connections are refused with 503 (a load balancer retries them on another edge), every connected client is told to
/// move (a close with reason <c>server_draining: ...</c> that allows reconnecting, so SignalR clients reconnect at once
/// through the balancer and resume; a <c>/ws</c> connection is closed with status 1001, going away, and that reason), then the edge waits at most <see cref="EdgeOptions.DrainSeconds"/> for them to go
/// before the host stops.
/// </summary>
public sealed partial class EdgeDrain(
    GameHubLifetimeManager connections,
    OpenSockets sockets,
    IOptions<EdgeOptions> options,
    ILogger<EdgeDrain> logger)
{
    public const string Reason = "server_draining: this server is restarting; reconnect to carry on";

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsDraining => _started.Task.IsCompleted;

    /// <summary>Completes when the drain starts.</summary>
    public Task Started => _started.Task;

    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        if (!_started.TrySetResult())
        {
            return;
        }

        var limit = TimeSpan.FromSeconds(options.Value.DrainSeconds);
        var told = await connections.CloseAllAsync(Reason) + await sockets.CloseAllAsync(Reason);
        LogDraining(logger, told, limit.TotalSeconds);
        var deadline = DateTime.UtcNow + limit;
        while (connections.Count + sockets.Count > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        LogDrained(logger, connections.Count + sockets.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: told {Connections} connection(s) to move; waiting at most {Seconds} s for them to go")]
    private static partial void LogDraining(ILogger logger, int connections, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained; {Connections} connection(s) left are closed with the server")]
    private static partial void LogDrained(ILogger logger, int connections);
}
