using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Limits;

/// <summary>
/// A connection that does not authenticate within <see cref="EdgeOptions.AuthenticateWithinSeconds"/> of opening is
/// closed (an idle anonymous connection costs the edge as much as a player's). One timer per anonymous connection,
/// from <see cref="TimeProvider"/>, gone when it authenticates or closes.
/// </summary>
public sealed partial class AuthenticationDeadline(IOptions<EdgeOptions> options, TimeProvider time, ILogger<AuthenticationDeadline> logger)
{
    private readonly ConcurrentDictionary<string, ITimer> _timers = new(StringComparer.Ordinal);

    public string Message => $"authenticate within {options.Value.AuthenticateWithinSeconds:0.#} s of connecting (a token at connect, or Authenticate as the first call)";

    /// <summary>Starts the clock for <paramref name="connectionId"/>; at the deadline <paramref name="closeIfAnonymous"/> runs.</summary>
    public void Start(string connectionId, Func<Task<bool>> closeIfAnonymous)
    {
        var timer = time.CreateTimer(_ => _ = ExpireAsync(connectionId, closeIfAnonymous), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_timers.TryAdd(connectionId, timer))
        {
            timer.Change(options.Value.AuthenticateWithin, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Dispose();
        }
    }

    /// <summary>The connection authenticated or closed.</summary>
    public void Stop(string connectionId)
    {
        if (_timers.TryRemove(connectionId, out var timer))
        {
            timer.Dispose();
        }
    }

    /// <summary>Anonymous connections waiting for their deadline.</summary>
    public int Pending => _timers.Count;

    private async Task ExpireAsync(string connectionId, Func<Task<bool>> closeIfAnonymous)
    {
        Stop(connectionId);
        try
        {
            if (await closeIfAnonymous())
            {
                LogClosed(logger, connectionId);
            }
        }
        catch (Exception ex)
        {
            LogCloseFailed(logger, ex, connectionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed connection {ConnectionId}: it did not authenticate in time")]
    private static partial void LogClosed(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection {ConnectionId}, which did not authenticate in time, failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string connectionId);
}
