using System.Threading.Channels;
using CardGame.Contracts.Grains;
using CardGame.Edge.Cluster;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Delivery;

/// <summary>
/// Tells player grains how many live connections each local player has on this edge: at once whenever the count
/// changes, and for every local player every <see cref="EdgeOptions.ConnectionReportSeconds"/> (a player grain takes
/// an edge that stops reporting for 60 s as gone). Reports carry the count at sending time, so they cannot go stale
/// out of order.
/// </summary>
public sealed partial class ConnectionReporter(
    ClusterConnection cluster,
    EdgeNode edge,
    LocalPlayers players,
    Lifecycle.EdgeDrain drain,
    IOptions<EdgeOptions> options,
    ILogger<ConnectionReporter> logger) : BackgroundService
{
    private readonly Channel<string> _changed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void CountChanged(string playerId) => _changed.Writer.TryWrite(playerId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await cluster.WaitAsync(stoppingToken);
        var period = options.Value.ConnectionReport;
        var nextFullReport = DateTime.UtcNow + period;
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = new HashSet<string>();
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var untilFull = nextFullReport - DateTime.UtcNow;
                wait.CancelAfter(untilFull > TimeSpan.Zero ? untilFull : TimeSpan.Zero);
                try
                {
                    await _changed.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
            }

            while (_changed.Reader.TryRead(out var playerId))
            {
                due.Add(playerId);
            }

            if (DateTime.UtcNow >= nextFullReport)
            {
                due.UnionWith(players.PlayerIds());
                nextFullReport = DateTime.UtcNow + period;
            }

            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = stoppingToken },
                async (playerId, _) => await ReportAsync(playerId));
        }
    }

    private async Task ReportAsync(string playerId)
    {
        var count = players.ConnectionCount(playerId);
        if (count == 0 && drain.IsDraining)
        {
            // Told to move, the player is reconnecting through another edge: saying "gone" here would flash
            // connected: false at the table. This edge's last count expires with its lease if the player never comes back.
            return;
        }

        try
        {
            await cluster.Grains.GetGrain<IPlayerGrain>(playerId).SetConnections(edge.EdgeId, count);
            LogReported(logger, playerId, count);
        }
        catch (Exception ex)
        {
            // A live player is reported again with the next full report; a gone one expires with the lease.
            LogReportFailed(logger, ex, playerId, count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reported {Connections} connection(s) of player {PlayerId}")]
    private static partial void LogReported(ILogger logger, string playerId, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting {Connections} connection(s) of player {PlayerId} failed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string playerId, int connections);
}
