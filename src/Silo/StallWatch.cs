using System.Diagnostics;

namespace CardGame.Silo;

/// <summary>
/// Logs a warning when this process stalls, and what the stall was: a thread of its own wakes every
/// <see cref="Period"/> and posts a probe to the thread pool; a wake-up late by more than <see cref="Threshold"/> means
/// the whole process did not run (a garbage collection suspended it, when the GC's pause time grew by most of the
/// delay, else it got no CPU), a probe that waited that long on time wake-ups means the thread pool (where grain calls
/// run) was behind. Why: in rolling restarts a running silo answered nothing for 1-2.4 s while another silo started,
/// and its log could not tell which of these it was. Costs one wake-up per period.
/// </summary>
public sealed partial class StallWatch(ILogger<StallWatch> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(300);

    // No spinning before each wait: the default spin (SpinWait, sched_yield and Sleep(0) calls) cost 1.6-2.5 % of a
    // loaded silo's CPU samples at 10 waits a second (bench/results/2026-12-01-0004-profile.txt); a stop can wait.
    private readonly ManualResetEventSlim _stopping = new(initialState: false, spinCount: 0);
    private Thread? _thread;
    private long _probePosted;
    private long _probeRan;

    /// <summary>What a stall was, from how late the watch woke, how long a thread-pool probe waited, and the GC's pause time meanwhile.</summary>
    public static string Cause(TimeSpan late, TimeSpan probeWait, TimeSpan gcPause)
    {
        if (late > Threshold)
        {
            return gcPause >= late / 2
                ? "a garbage collection suspended the process"
                : "the process got no CPU (the machine's cores were busy with other work) or was stopped";
        }

        return probeWait > Threshold
            ? "the thread pool was behind: work waited for a free thread (busy or blocked threads)"
            : "none";
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = nameof(StallWatch) };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Set();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the watch and waits for its thread before the event goes. The host disposes its services without stopping
    /// them when its start fails (a port already in use): the thread then waited on a disposed event and its
    /// <see cref="ObjectDisposedException"/> killed the process (exit 134) instead of a clean failed start.
    /// </summary>
    public void Dispose()
    {
        _stopping.Set();
        _thread?.Join();
        _stopping.Dispose();
    }

    /// <summary>Whether the watch's thread still runs (for tests).</summary>
    internal bool Watching => _thread is { IsAlive: true };

    private void Watch()
    {
        var last = Stopwatch.GetTimestamp();
        var pausedBefore = GC.GetTotalPauseDuration();
        var gen2Before = GC.CollectionCount(2);
        Volatile.Write(ref _probeRan, last);
        Volatile.Write(ref _probePosted, last);
        var reportedProbe = last;
        while (!_stopping.Wait(Period))
        {
            var now = Stopwatch.GetTimestamp();
            var late = Stopwatch.GetElapsedTime(last, now) - Period;
            var paused = GC.GetTotalPauseDuration();
            var gen2 = GC.CollectionCount(2);
            var posted = Volatile.Read(ref _probePosted);
            var ran = Volatile.Read(ref _probeRan);
            var probeWait = ran >= posted ? Stopwatch.GetElapsedTime(posted, ran) : TimeSpan.Zero;
            var stalled = late > Threshold || (probeWait > Threshold && posted != reportedProbe);
            if (stalled)
            {
                reportedProbe = posted;
                LogStall(logger, (long)Math.Max(late.TotalMilliseconds, probeWait.TotalMilliseconds), Cause(late, probeWait, paused - pausedBefore),
                    (long)late.TotalMilliseconds, (long)probeWait.TotalMilliseconds, (long)(paused - pausedBefore).TotalMilliseconds, gen2 - gen2Before,
                    ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount);
            }

            if (ran >= posted)
            {
                // The last probe ran: post the next one.
                Volatile.Write(ref _probePosted, now);
                ThreadPool.UnsafeQueueUserWorkItem(static watch => Volatile.Write(ref watch._probeRan, Stopwatch.GetTimestamp()), this, preferLocal: false);
            }

            last = now;
            pausedBefore = paused;
            gen2Before = gen2;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stall of {Milliseconds} ms: {Cause} (woke {LateMilliseconds} ms late, a thread-pool item waited {ProbeMilliseconds} ms, GC pauses {GcMilliseconds} ms and {Gen2} gen2 collections meanwhile; {Threads} pool threads, {Queued} items queued)")]
    private static partial void LogStall(ILogger logger, long milliseconds, string cause, long lateMilliseconds, long probeMilliseconds, long gcMilliseconds, int gen2, int threads, long queued);
}
