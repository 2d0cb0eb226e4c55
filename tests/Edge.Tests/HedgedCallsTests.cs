using CardGame.Edge.Cluster;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CardGame.Edge.Tests;

/// <summary>
/// <see cref="HedgedCalls"/> with a fake clock: a call without an answer is sent again after the hedge delay and the
/// first answer wins; a call that answers in time is sent once; a failure is the answer when nothing else is pending.
/// </summary>
public sealed class HedgedCallsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly CountingTimeProvider _time = new();

    private HedgedCalls Hedged(int afterMilliseconds = 1000) =>
        new(Options.Create(new EdgeOptions { HedgeAfterMilliseconds = afterMilliseconds }), _time, NullLogger<HedgedCalls>.Instance);

    [Fact]
    public async Task A_call_whose_answer_never_comes_is_sent_again_after_the_delay_and_the_repeat_answers()
    {
        var lost = new TaskCompletionSource<string>();
        var attempts = 0;
        var running = Hedged().RunAsync("TakeCard", () => ++attempts == 1 ? lost.Task : Task.FromResult("view"));

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, attempts);
        Assert.False(running.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_call_whose_connection_is_dropped_before_its_answer_is_sent_again_at_once()
    {
        var lost = new TaskCompletionSource<string>();
        using var dropped = new CancellationTokenSource();
        var attempts = 0;
        var running = Hedged().RunAsync("PutCard", () => Interlocked.Increment(ref attempts) == 1 ? lost.Task : Task.FromResult("view"), dropped.Token);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Volatile.Read(ref attempts));
        await dropped.CancelAsync();

        // No time passes on the clock: the repeat goes out because the connection was dropped, not because the delay ran out.
        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_repeat_that_fails_while_the_first_attempt_still_waits_is_followed_by_the_next_at_once()
    {
        var lost = new TaskCompletionSource<string>();
        using var dropped = new CancellationTokenSource();
        var attempts = 0;
        var running = Hedged().RunAsync("PutCard", () => Interlocked.Increment(ref attempts) switch
        {
            1 => lost.Task,
            // The repeat goes through a gateway that is shutting down: refused at once.
            2 => Task.FromException<string>(new InvalidOperationException("refused: the silo is shutting down")),
            _ => Task.FromResult("view"),
        }, dropped.Token);

        await dropped.CancelAsync();

        // No time passes on the clock: the third goes out because the second failed, not because the delay ran out.
        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task While_a_silo_is_leaving_a_call_without_an_answer_is_sent_again_after_a_quarter_of_the_delay()
    {
        var lost = new TaskCompletionSource<string>();
        var attempts = 0;
        var running = Hedged().RunAsync("PutCard", () => Interlocked.Increment(ref attempts) == 1 ? lost.Task : Task.FromResult("view"), leaving: true);

        _time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Equal(1, Volatile.Read(ref attempts));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task After_a_repeat_sent_because_the_connection_was_dropped_the_next_falls_due_after_a_quarter_of_the_delay()
    {
        var lost = new TaskCompletionSource<string>();
        using var dropped = new CancellationTokenSource();
        var attempts = 0;
        var running = Hedged().RunAsync("TakeCard", () => Interlocked.Increment(ref attempts) <= 2 ? lost.Task : Task.FromResult("view"), dropped.Token);

        await dropped.CancelAsync();
        // The wait for the first answer was one timer; the wait for the next repeat is the second.
        await WaitUntilAsync(() => Volatile.Read(ref attempts) == 2 && _time.TimersCreated == 2);
        _time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Equal(2, Volatile.Read(ref attempts));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task A_dropped_connection_does_not_repeat_a_call_that_already_answered()
    {
        using var dropped = new CancellationTokenSource();
        var attempts = 0;
        var answer = new TaskCompletionSource<string>();
        var running = Hedged().RunAsync("TakeCard", () =>
        {
            attempts++;
            return answer.Task;
        }, dropped.Token);

        answer.SetResult("view");
        Assert.Equal("view", await running.WaitAsync(Bound));
        await dropped.CancelAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_call_that_answers_in_time_is_sent_once()
    {
        var answer = new TaskCompletionSource<string>();
        var attempts = 0;
        var running = Hedged().RunAsync("GetTable", () =>
        {
            attempts++;
            return answer.Task;
        });

        _time.Advance(TimeSpan.FromMilliseconds(500));
        answer.SetResult("view");
        Assert.Equal("view", await running.WaitAsync(Bound));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task The_first_attempt_may_still_win_after_a_repeat_went_out_and_at_most_three_go()
    {
        var first = new TaskCompletionSource<string>();
        var later = new TaskCompletionSource<string>();
        var attempts = 0;
        var running = Hedged().RunAsync("PutCard", () => ++attempts == 1 ? first.Task : later.Task);

        for (var expected = 2; expected <= HedgedCalls.MaxAttempts; expected++)
        {
            // The next repeat is timed from when the previous one went out: wait for it before moving the clock on.
            _time.Advance(TimeSpan.FromSeconds(1));
            await WaitUntilAsync(() => Volatile.Read(ref attempts) == expected);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        first.SetResult("first");
        Assert.Equal("first", await running.WaitAsync(Bound));
        Assert.Equal(HedgedCalls.MaxAttempts, attempts);
    }

    [Fact]
    public async Task A_failure_with_nothing_else_pending_is_the_answer()
    {
        var attempts = 0;
        var running = Hedged().RunAsync<string>("Resume", () =>
        {
            attempts++;
            return Task.FromException<string>(new TimeoutException("no answer"));
        });

        await Assert.ThrowsAsync<TimeoutException>(() => running.WaitAsync(Bound));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task With_a_delay_of_0_nothing_is_sent_again()
    {
        var answer = new TaskCompletionSource<string>();
        var attempts = 0;
        var running = Hedged(afterMilliseconds: 0).RunAsync("TakeCard", () =>
        {
            attempts++;
            return answer.Task;
        });

        _time.Advance(TimeSpan.FromSeconds(60));
        answer.SetResult("view");
        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task An_answer_that_comes_as_the_delay_runs_out_is_the_answer_even_when_the_hedge_sees_the_delay_first()
    {
        // A busy machine: the delay runs out, and the answer comes before the hedge's continuation gets a thread. It
        // answered "unavailable" (the wait's own TimeoutException) although the call had answered (fuzz seed 426724268).
        var answer = new TaskCompletionSource<string>();
        var attempts = 0;
        var scheduler = new StepScheduler();
        var running = scheduler.Start(() => Hedged().RunAsync("GetTable", () =>
        {
            attempts++;
            return answer.Task;
        }));

        scheduler.RunPending();
        Assert.Equal(1, attempts);
        _time.Advance(TimeSpan.FromSeconds(1));
        answer.SetResult("view");
        scheduler.RunPending();

        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task An_answer_that_comes_as_its_connection_is_dropped_is_the_answer_even_when_the_hedge_sees_the_drop_first()
    {
        var answer = new TaskCompletionSource<string>();
        using var dropped = new CancellationTokenSource();
        var attempts = 0;
        var scheduler = new StepScheduler();
        var running = scheduler.Start(() => Hedged().RunAsync("GetTable", () =>
        {
            attempts++;
            return answer.Task;
        }, dropped.Token));

        scheduler.RunPending();
        await dropped.CancelAsync();
        answer.SetResult("view");
        scheduler.RunPending();

        Assert.Equal("view", await running.WaitAsync(Bound));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_failure_of_the_call_itself_as_the_delay_runs_out_is_still_its_answer()
    {
        // Orleans' own response timeout is the call's answer, not a reason to repeat it (as before).
        var answer = new TaskCompletionSource<string>();
        var attempts = 0;
        var scheduler = new StepScheduler();
        var running = scheduler.Start(() => Hedged().RunAsync("GetTable", () =>
        {
            attempts++;
            return answer.Task;
        }));

        scheduler.RunPending();
        _time.Advance(TimeSpan.FromSeconds(1));
        var own = new TimeoutException("the call's own response timeout");
        answer.SetException(own);
        scheduler.RunPending();

        Assert.Same(own, await Assert.ThrowsAsync<TimeoutException>(() => running.WaitAsync(Bound)));
        Assert.Equal(1, attempts);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Runs what is queued to it only when told (<see cref="RunPending"/>), so a test decides what happens between a
    /// task's completion and its continuation: what a busy machine does by delaying the continuation's thread.
    /// </summary>
    private sealed class StepScheduler : TaskScheduler
    {
        private readonly Queue<Task> _queued = new();

        public Task<T> Start<T>(Func<Task<T>> work) =>
            Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, this).Unwrap();

        public void RunPending()
        {
            // Continuations then come back to this scheduler, not to the test framework's context.
            var context = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                while (true)
                {
                    Task? next;
                    lock (_queued)
                    {
                        if (!_queued.TryDequeue(out next))
                        {
                            return;
                        }
                    }

                    TryExecuteTask(next);
                }
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(context);
            }
        }

        protected override void QueueTask(Task task)
        {
            lock (_queued)
            {
                _queued.Enqueue(task);
            }
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks()
        {
            lock (_queued)
            {
                return [.. _queued];
            }
        }
    }

    /// <summary>A fake clock that counts the timers made on it, so a test moves it on only once a wait has begun.</summary>
    private sealed class CountingTimeProvider : FakeTimeProvider
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
