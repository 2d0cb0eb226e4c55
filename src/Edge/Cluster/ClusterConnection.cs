namespace CardGame.Edge.Cluster;

/// <summary>
/// Connects the edge's Orleans client in the background, retrying until the cluster answers, so the edge serves
/// (health, sign-in, <c>unavailable</c> errors) while the cluster is down or still starting. Grain calls go through
/// <see cref="Grains"/>, which fails fast with <see cref="ClusterUnavailableException"/> until connected.
/// </summary>
public sealed partial class ClusterConnection(IClusterClient client, ILogger<ClusterConnection> logger) : BackgroundService
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsConnected => _connected.Task.IsCompletedSuccessfully;

    /// <summary>The cluster client, once connected.</summary>
    public IClusterClient Grains => IsConnected ? client : throw new ClusterUnavailableException("the edge is not connected to the game cluster yet");

    public Task WaitAsync(CancellationToken cancellationToken) => _connected.Task.WaitAsync(cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (IsConnected)
        {
            try
            {
                await ((IHostedService)client).StopAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host's shutdown deadline passed (a drain used most of it): the gateway connections close with
                // the process; the stop itself has not failed.
                LogStopAbandoned(logger);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogConnecting(logger);
        // The registered RetryUntilConnected filter keeps this going until the cluster answers or the edge stops.
        await ((IHostedService)client).StartAsync(stoppingToken);
        _connected.TrySetResult();
        LogConnected(logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping the cluster client ran out of the shutdown time; its connections close with the edge")]
    private static partial void LogStopAbandoned(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connecting to the game cluster")]
    private static partial void LogConnecting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the game cluster")]
    private static partial void LogConnected(ILogger logger);
}
