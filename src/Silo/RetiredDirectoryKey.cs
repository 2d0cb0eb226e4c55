using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace CardGame.Silo;

/// <summary>
/// Deletes the stored room list of the single directory grain that the 16 in-memory shards replaced (state <c>rooms</c>
/// of grain <c>roomdirectory/0</c>): nothing reads it any more, and it would otherwise stay in Redis for ever. Runs once
/// at every start of a silo on Redis storage (deleting a missing key is a no-op); a failure is logged and retried at the
/// next start, never stopping the silo.
/// </summary>
public sealed partial class RetiredDirectoryKey(IConfiguration config, IOptions<ClusterOptions> cluster, ILogger<RetiredDirectoryKey> logger)
    : BackgroundService
{
    /// <summary>The key, as the Redis grain storage names it: <c>{ServiceId}/state/{grainId}/{stateName}</c>.</summary>
    public static string KeyOf(string serviceId) => $"{serviceId}/state/roomdirectory/0/rooms";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config.GetConnectionString("Redis") is not { Length: > 0 } redis)
        {
            return;
        }

        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
            if (await connection.GetDatabase().KeyDeleteAsync(KeyOf(cluster.Value.ServiceId)))
            {
                LogDeleted(logger, KeyOf(cluster.Value.ServiceId));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Key}, the room list of the retired single-grain directory")]
    private static partial void LogDeleted(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting the retired directory key failed; retrying at the next start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
