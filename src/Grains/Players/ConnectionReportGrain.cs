using CardGame.Contracts.Grains;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace CardGame.Grains;

/// <summary>
/// Hands an edge's batch of connection counts to the player grains, in parallel. Holds nothing, so its turns may
/// interleave: a batch waiting on its player grains does not hold up the next one.
/// </summary>
[StatelessWorker, Reentrant]
public sealed partial class ConnectionReportGrain(ILogger<ConnectionReportGrain> logger) : Grain, IConnectionReportGrain
{
    public async Task<int> Report(string edgeId, IReadOnlyList<ConnectionCount> counts)
    {
        var reported = await Task.WhenAll(counts.Select(count => ReportAsync(edgeId, count)));
        return reported.Count(ok => !ok);
    }

    private async Task<bool> ReportAsync(string edgeId, ConnectionCount count)
    {
        try
        {
            await GrainFactory.GetGrain<IPlayerGrain>(count.PlayerId).SetConnections(edgeId, count.Connections);
            return true;
        }
        catch (Exception ex)
        {
            // A live player is reported again with the edge's next full report; a gone one expires with the lease.
            LogReportFailed(logger, ex, count.PlayerId, count.Connections);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting {Connections} connection(s) of player {PlayerId} failed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string playerId, int connections);
}
