using CardGame.Edge.Hub;
using CardGame.Edge.Sockets;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Lifecycle;

/// <summary>
/// A graceful stop of this edge (SIGTERM, see <see cref="DrainingLifetime"/>): readiness fails at once and new hub
/// connections are refused with 503 (a load balancer retries them on another edge), every connected client is told to
/// move (a close with reason <c>server_draining: ...</c> that allows reconnecting, so SignalR clients reconnect at once
/// through the balancer and resume; a <c>/ws</c> connection is closed with status 1001, going away, and that reason),
/// spread over <see cref="EdgeOptions.DrainSpreadMilliseconds"/>, then the edge waits at most
/// <see cref="EdgeOptions.DrainSeconds"/> for them to go before the host stops.
/// </summary>
public sealed partial class EdgeDrain(
    GameHubLifetimeManager connections,
    OpenSockets sockets,
    IOptions<EdgeOptions> options,
    ILogger<EdgeDrain> logger)
{
    public const string Reason = "server_draining: this server is restarting; reconnect to carry on";

    /// <summary>Waves a spread drain tells its clients in (<see cref="EdgeOptions.DrainSpreadMilliseconds"/>).</summary>
    public const int Waves = 8;

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
        var spread = TimeSpan.FromMilliseconds(Math.Min(options.Value.DrainSpreadMilliseconds, limit.TotalMilliseconds / 2));
        var told = await TellToMoveAsync(spread);
        LogDraining(logger, told, spread.TotalMilliseconds, limit.TotalSeconds);
        var deadline = DateTime.UtcNow + limit;
        while (connections.Count + sockets.Count > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        LogDrained(logger, connections.Count + sockets.Count);
    }

    /// <summary>
    /// Tells the connections open now to move in <see cref="Waves"/> waves spread over <paramref name="spread"/> (at
    /// once when zero), then any opened since. Why: in a rolling restart the players of the edge that drains last all
    /// reconnected to an edge started 2 s before, at once: 100 connections, sign-ins and resumes queued behind each
    /// other there, and the last were resumed 3.7 s after the drain (load average 37–48). Clients not told yet play on
    /// here meanwhile.
    /// </summary>
    private async Task<int> TellToMoveAsync(TimeSpan spread)
    {
        var hub = connections.Snapshot();
        var open = sockets.Snapshot();
        var waves = spread > TimeSpan.Zero ? Waves : 1;
        var told = 0;
        for (var wave = 0; wave < waves; wave++)
        {
            if (wave > 0)
            {
                await Task.Delay(spread / (waves - 1), CancellationToken.None);
            }

            told += await GameHubLifetimeManager.TellToMoveAsync(Slice(hub, wave, waves), Reason)
                + await OpenSockets.CloseAsync(Slice(open, wave, waves), Reason);
        }

        var since = connections.Snapshot().Except(hub).ToList();
        var socketsSince = sockets.Snapshot().Except(open).ToList();
        return told + await GameHubLifetimeManager.TellToMoveAsync(since, Reason) + await OpenSockets.CloseAsync(socketsSince, Reason);
    }

    /// <summary>The <paramref name="wave"/>-th of <paramref name="waves"/> nearly equal parts of <paramref name="all"/>.</summary>
    private static List<T> Slice<T>(IReadOnlyList<T> all, int wave, int waves) =>
        [.. all.Skip(all.Count * wave / waves).Take((all.Count * (wave + 1) / waves) - (all.Count * wave / waves))];

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: told {Connections} connection(s) to move over {SpreadMilliseconds} ms; waiting at most {Seconds} s for them to go")]
    private static partial void LogDraining(ILogger logger, int connections, double spreadMilliseconds, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained; {Connections} connection(s) left are closed with the server")]
    private static partial void LogDrained(ILogger logger, int connections);
}
