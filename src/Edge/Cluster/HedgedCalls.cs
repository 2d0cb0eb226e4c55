using Microsoft.Extensions.Options;

namespace CardGame.Edge.Cluster;

/// <summary>
/// Sends a grain call that is safe to repeat (a move with its <c>moveId</c>, a view, a resume, the room list) again when it has no
/// answer after <see cref="EdgeOptions.HedgeAfterMilliseconds"/>, and answers with whichever attempt succeeds first.
/// Why: while a silo stops, the answer to a call this edge sent through that silo's gateway can be dropped there
/// (Orleans logs "Failed to address message Response ... Silo is shutting down" and discards it), and the call would
/// wait for <c>Orleans:ResponseTimeoutSeconds</c> (10 s) although the table had answered. With
/// <see cref="TableRoutes"/> every call for a table hosted on a silo goes through that silo's gateway, so when it stops,
/// the calls for the tables migrating off it are the ones at risk. The repeat goes out through
/// a gateway that still answers; the table applies a <c>moveId</c> once and answers a repeat with its current view.
/// When the caller knows the connection the call went through was dropped meanwhile (<c>repeatNow</c>:
/// <see cref="TableRoutes.RouteDropped"/>, cancelled when that silo refuses calls as it shuts down or the connection is
/// lost), the first repeat goes out at once instead of after the delay. An attempt that fails while another still
/// waits is followed by the next at once (at most <see cref="MaxAttempts"/> in all): its way was refused (a stopping
/// gateway, say), and the one still waiting may have lost its answer the same way. While a silo is leaving (a route
/// was dropped a moment ago) and after a repeat sent because of a drop, the repeats fall due after a quarter of the
/// delay: an answer can also be lost where no refusal tells of it (forwarded through the leaving silo).
/// </summary>
public sealed partial class HedgedCalls(IOptions<EdgeOptions> options, TimeProvider time, ILogger<HedgedCalls> logger)
{
    /// <summary>Attempts at most, the first included.</summary>
    public const int MaxAttempts = 3;

    /// <summary>While a silo is leaving, and after a repeat sent because a route was dropped, repeats fall due after the delay divided by this.</summary>
    public const int LeavingDivisor = 4;

    /// <summary>
    /// Runs <paramref name="call"/>, repeating it as above. <paramref name="repeatNow"/>: cancelled when the connection
    /// the call goes through is dropped. <paramref name="leaving"/>: a silo is leaving (<see cref="TableRoutes.Leaving"/>),
    /// so answers may be lost where no signal tells of it, and repeats fall due after a quarter of the delay.
    /// </summary>
    public async Task<T> RunAsync<T>(string method, Func<Task<T>> call, CancellationToken repeatNow = default, bool leaving = false)
    {
        var delay = TimeSpan.FromMilliseconds(options.Value.HedgeAfterMilliseconds);
        var first = call();
        if (delay <= TimeSpan.Zero || first.IsCompleted)
        {
            return await first;
        }

        var after = leaving ? delay / LeavingDivisor : delay;

        // Nearly every call is answered in time: waiting for it costs one timer, and nothing more is made unless the
        // repeat falls due. A TimeoutException the call itself ends with (Orleans' response timeout) is its answer.
        var started = time.GetTimestamp();
        try
        {
            return await first.WaitAsync(after, time, repeatNow);
        }
        catch (Exception) when (first.IsCompleted)
        {
            // The call has its answer (or its own failure), which is what counts: the wait may have given up on it a
            // moment before it came, and on a busy machine this continuation runs after it came. The wait's own
            // TimeoutException or cancellation then left as the call's failure ("unavailable" although the table had
            // answered: FuzzTests, seed 426724268, at load 25).
            return await first;
        }
        catch (TimeoutException)
        {
            LogRepeated(logger, method, 1, (long)after.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (repeatNow.IsCancellationRequested)
        {
            LogRepeatedAfterDrop(logger, method, (long)time.GetElapsedTime(started).TotalMilliseconds);
            // A silo is leaving: the repeat may lose its answer too, so the next falls due sooner.
            after = delay / LeavingDivisor;
        }

        var calls = new List<Task<T>> { first, call() };
        var failuresAnswered = 0;
        while (true)
        {
            if (calls.FirstOrDefault(c => c.IsCompletedSuccessfully) is { } answered)
            {
                Abandon(calls.Where(c => c != answered));
                return await answered;
            }

            var pending = calls.Where(c => !c.IsCompleted).ToList();
            if (pending.Count == 0)
            {
                // Every attempt failed: the last failure is the answer (as without repeats).
                Abandon(calls.SkipLast(1));
                return await calls[^1];
            }

            if (calls.Count >= MaxAttempts)
            {
                await Task.WhenAny(pending);
                continue;
            }

            if (calls.Count(c => c.IsCompleted) > failuresAnswered)
            {
                // One attempt failed while another still waits (a leaving gateway refused it, say): the one waiting may
                // have lost its answer the same way, so the next goes out now rather than after the delay.
                failuresAnswered++;
                var failed = calls.Last(c => c.IsCompleted);
                LogRepeatedAfterFailure(logger, method, failed.Exception?.InnerException?.GetType().Name ?? "cancelled", (long)time.GetElapsedTime(started).TotalMilliseconds);
                calls.Add(call());
                continue;
            }

            using var wait = new CancellationTokenSource();
            var repeatDue = Task.Delay(after, time, wait.Token);
            if (await Task.WhenAny(Task.WhenAny(pending), repeatDue) == repeatDue)
            {
                LogRepeated(logger, method, calls.Count, (long)time.GetElapsedTime(started).TotalMilliseconds);
                calls.Add(call());
            }
            else
            {
                await wait.CancelAsync();
            }
        }
    }

    /// <summary>Attempts whose answer is not used: their failure (if any) is observed here, not left unobserved.</summary>
    private static void Abandon(IEnumerable<Task> calls)
    {
        foreach (var call in calls)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method}: the connection it went through was dropped {Milliseconds} ms after it was sent, with no answer yet; sent again")]
    private static partial void LogRepeatedAfterDrop(ILogger logger, string method, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method}: an attempt failed ({Error}) {Milliseconds} ms after the call went out while another still waits; sent again")]
    private static partial void LogRepeatedAfterFailure(ILogger logger, string method, string error, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method}: no answer {Milliseconds} ms after the call went out, from {Attempts} attempt(s); sent again")]
    private static partial void LogRepeated(ILogger logger, string method, int attempts, long milliseconds);
}
