using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;
using CardGame.LoadTest.Running;

namespace CardGame.LoadTest.Tests;

public sealed class OpenLoopPacerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_rate_above_one_move_a_second_per_table_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new OpenLoopPacer(rate: 101, tables: 100, new RunMetrics()));

        Assert.Contains("at least 101 tables", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_table_is_asked_for_every_Nth_due_move_of_the_schedule()
    {
        var metrics = new RunMetrics();
        var pacer = new OpenLoopPacer(rate: 200, tables: 200, metrics);
        var actor = new Actor(table: 1, pacer, moves: 3);
        pacer.Request(actor);
        pacer.Start();

        var dues = await actor.Done.Task.WaitAsync(Patience);
        pacer.Stop();

        // Due move n of the schedule is table n mod 200's: table 1 gets moves 1, 201, 401, which fall due 1 s apart.
        var spacing = dues.Zip(dues.Skip(1), (a, b) => Clock.Microseconds(a, b)).ToList();
        Assert.All(spacing, us => Assert.InRange(us, 999_990, 1_000_010));
    }

    [Fact]
    public async Task Moves_due_for_a_table_whose_player_never_comes_are_misses_at_the_close()
    {
        var metrics = new RunMetrics();
        metrics.StartMeasuring();
        var pacer = new OpenLoopPacer(rate: 100, tables: 100, metrics);
        var actor = new Actor(table: 0, pacer, moves: 2);
        pacer.Request(actor);
        pacer.Start();

        await actor.Done.Task.WaitAsync(Patience);
        pacer.Stop();
        var waiting = pacer.Stats!.BacklogAtEnd;
        pacer.Close(Clock.Now);

        Assert.True(waiting >= 99, $"the other tables had {waiting} moves waiting");
        Assert.Equal(waiting, metrics.AckMisses);
        Assert.Equal(waiting, metrics.FanoutMisses);
        Assert.Equal(0, pacer.Stats.BacklogAtEnd);
    }

    /// <summary>A player that moves at once and is ready again straight after, until it has made its moves.</summary>
    private sealed class Actor(int table, IPacer pacer, int moves) : IActor
    {
        private readonly List<long> _dues = [];

        public int Table { get; } = table;

        public TaskCompletionSource<List<long>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ActAsync(long scheduledTimestamp)
        {
            lock (_dues)
            {
                _dues.Add(scheduledTimestamp);
                if (_dues.Count == moves)
                {
                    Done.TrySetResult([.. _dues]);
                    return Task.CompletedTask;
                }
            }

            pacer.Request(this);
            return Task.CompletedTask;
        }
    }
}
