namespace CardGame.Edge.Cluster;

/// <summary>
/// Keeps retrying the first connection to the cluster (Orleans' default gives up after a few attempts, and not at
/// all when no gateway is registered yet), backing off to one attempt every 2 s.
/// </summary>
public sealed partial class RetryUntilConnected(ILogger<RetryUntilConnected> logger) : IClientConnectionRetryFilter
{
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        if (attempt == 1 || attempt % 30 == 0)
        {
            LogStillConnecting(logger, attempt, exception.Message);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * attempt, 2000)), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The game cluster is not reachable yet (attempt {Attempt}): {Reason} Retrying.")]
    private static partial void LogStillConnecting(ILogger logger, int attempt, string reason);
}
