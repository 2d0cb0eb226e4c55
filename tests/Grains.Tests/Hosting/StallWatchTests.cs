using CardGame.Silo;
using Microsoft.Extensions.Logging.Abstractions;

namespace CardGame.Grains.Tests.Hosting;

public sealed class StallWatchTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMilliseconds(1200);

    [Fact]
    public void A_late_wake_up_mostly_spent_in_gc_pauses_is_a_garbage_collection() =>
        Assert.Contains("garbage collection", StallWatch.Cause(Long, TimeSpan.Zero, TimeSpan.FromMilliseconds(900)));

    [Fact]
    public void A_late_wake_up_without_gc_pauses_is_a_process_that_got_no_cpu() =>
        Assert.Contains("no CPU", StallWatch.Cause(Long, Long, TimeSpan.FromMilliseconds(10)));

    [Fact]
    public void A_probe_that_waited_while_the_watch_woke_on_time_is_the_thread_pool_behind() =>
        Assert.Contains("thread pool", StallWatch.Cause(TimeSpan.FromMilliseconds(5), Long, TimeSpan.Zero));

    [Fact]
    public void Delays_within_the_threshold_are_no_stall() =>
        Assert.Equal("none", StallWatch.Cause(StallWatch.Threshold, StallWatch.Threshold, TimeSpan.Zero));

    // A host whose start fails (a port already in use) disposes its services without stopping them: the watch's thread
    // must be gone when Dispose returns, not left waiting on a disposed event (that killed the silo with exit 134).
    [Fact]
    public async Task Disposing_a_started_watch_without_stopping_it_ends_its_thread()
    {
        var watch = new StallWatch(NullLogger<StallWatch>.Instance);
        await watch.StartAsync(CancellationToken.None);
        Assert.True(watch.Watching);

        watch.Dispose();

        Assert.False(watch.Watching);
    }
}
