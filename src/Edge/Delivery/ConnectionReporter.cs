using System.Threading.Channels;
using CardGame.Contracts.Grains;
using CardGame.Edge.Cluster;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Delivery;

/// <summary>
/// Tells player grains how many live connections each local player has on this edge: at once whenever the count
/// changes, and for every local player every <see cref="EdgeOptions.ConnectionReportSeconds"/> (a player grain takes
/// an edge that stops reporting for 60 s as gone), spread over the period (<see cref="PeriodSlots"/>). Reports carry the count at sending time, so they cannot go stale
/// out of order. They go in batches of up to <see cref="BatchSize"/> players through the
/// <see cref="IConnectionReportGrain"/> of the silo the edge calls: one call per player was 2,500 grain calls a second
/// from the edges at 50,000 idle players.
/// </summary>
public sealed partial class ConnectionReporter(
    ClusterConnection cluster,
    EdgeNode edge,
    LocalPlayers players,
    Lifecycle.EdgeDrain drain,
    IOptions<EdgeOptions> options,
    ILogger<ConnectionReporter> logger) : BackgroundService
{
    /// <summary>Players per report call.</summary>
    public const int BatchSize = 256;

    private readonly Channel<string> _changed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void CountChanged(string playerId) => _changed.Writer.TryWrite(playerId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await cluster.WaitAsync(stoppingToken);
        // Every local player is reported once a period, a twentieth of them each twentieth of it: all at once was a
        // burst of a grain call per player every period, which the moves of that moment waited behind.
        var slots = new PeriodSlots(options.Value.ConnectionReport);
        var nextSlot = DateTime.UtcNow + slots.Tick;
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = new HashSet<string>();
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var untilSlot = nextSlot - DateTime.UtcNow;
                wait.CancelAfter(untilSlot > TimeSpan.Zero ? untilSlot : TimeSpan.Zero);
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

            if (DateTime.UtcNow >= nextSlot)
            {
                due.UnionWith(slots.Next(players.PlayerIds()));
                nextSlot = DateTime.UtcNow + slots.Tick;
            }

            await Parallel.ForEachAsync(due.Chunk(BatchSize), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken },
                async (batch, _) => await ReportAsync(batch));
        }
    }

    private async Task ReportAsync(string[] playerIds)
    {
        var counts = new List<ConnectionCount>(playerIds.Length);
        foreach (var playerId in playerIds)
        {
            var count = players.ConnectionCount(playerId);
            // Told to move, a player is reconnecting through another edge: saying "gone" here would flash
            // connected: false at the table. This edge's last count expires with its lease if the player never comes back.
            if (count > 0 || !drain.IsDraining)
            {
                counts.Add(new ConnectionCount(playerId, count));
            }
        }

        if (counts.Count == 0)
        {
            return;
        }

        try
        {
            var failed = await cluster.Grains.GetGrain<IConnectionReportGrain>(0).Report(edge.EdgeId, counts);
            LogReported(logger, counts.Count, failed);
        }
        catch (Exception ex)
        {
            // Live players are reported again with the next full report; gone ones expire with the lease.
            LogReportFailed(logger, ex, counts.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reported the connections of {Players} player(s), {Failed} failed")]
    private static partial void LogReported(ILogger logger, int players, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the connections of {Players} player(s) failed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, int players);
}
