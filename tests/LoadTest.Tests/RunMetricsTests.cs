using CardGame.LoadTest.Metrics;

namespace CardGame.LoadTest.Tests;

public sealed class RunMetricsTests
{
    [Fact]
    public void Acknowledgment_is_timed_from_when_the_move_was_due()
    {
        var metrics = new RunMetrics();
        metrics.StartMeasuring();
        var due = Clock.Now;

        metrics.ActionDone(metrics.MoveSent(due), due + Clock.FromSeconds(0.040));

        var ack = metrics.Ack.Summary();
        Assert.Equal((1, 1L), (ack.Count, metrics.Actions));
        Assert.InRange(ack.Max, 39.9, 40.1);
    }

    [Fact]
    public void Moves_due_in_the_window_and_never_answered_or_sent_are_misses_counted_in_the_percentiles()
    {
        var metrics = new RunMetrics();
        metrics.StartMeasuring();
        var due = Clock.Now;
        var answered = metrics.MoveSent(due);
        metrics.ActionDone(answered, due + Clock.FromSeconds(0.001));
        metrics.FannedOut(answered, due + Clock.FromSeconds(0.002));
        metrics.MoveSent(due);
        metrics.NeverSent(due, due + Clock.FromSeconds(5));

        metrics.Close(due + Clock.FromSeconds(6));

        Assert.Equal((3L, 1L, 2L, 2L), (metrics.Due, metrics.Actions, metrics.AckMisses, metrics.FanoutMisses));
        var ack = metrics.Ack.Summary();
        Assert.Equal(3, ack.Count);
        Assert.InRange(ack.Max, 5_990, 6_010);
        Assert.InRange(ack.P50, 4_990, 5_010);
    }

    [Fact]
    public void Moves_due_outside_the_window_are_not_counted()
    {
        var metrics = new RunMetrics();
        var before = Clock.Now;
        metrics.StartMeasuring();
        metrics.EndMeasuring(Clock.Now + Clock.FromSeconds(1));
        var after = metrics.MeasureEnd + 1;

        metrics.ActionDone(metrics.MoveSent(before), after);
        metrics.ActionDone(metrics.MoveSent(after), after);
        metrics.NeverSent(after, after);
        metrics.Close(after);

        Assert.Equal((0L, 0L, 0L, 0L), (metrics.Due, metrics.Actions, metrics.AckMisses, metrics.Ack.Summary().Count));
        Assert.Equal(2, metrics.AllActions);
    }

    [Fact]
    public void Slow_fan_outs_are_placed_in_the_slice_of_the_window_their_move_was_due_in()
    {
        var metrics = new RunMetrics();
        metrics.StartMeasuring();
        var start = metrics.MeasureStart;
        var early = metrics.MoveSent(start + Clock.FromSeconds(0.010));
        var paused = metrics.MoveSent(start + Clock.FromSeconds(0.350));
        var pausedToo = metrics.MoveSent(start + Clock.FromSeconds(0.360));
        metrics.MoveSent(start + Clock.FromSeconds(0.950));

        metrics.FannedOut(early, start + Clock.FromSeconds(0.015));
        metrics.FannedOut(paused, start + Clock.FromSeconds(0.500));
        metrics.FannedOut(pausedToo, start + Clock.FromSeconds(0.390));
        metrics.Close(start + Clock.FromSeconds(2));

        var slices = metrics.FanoutTimeline.Slices();
        Assert.Equal([0, 3, 9], slices.Select(s => (int)Math.Round((s.DueFromUtc - slices[0].DueFromUtc).TotalMilliseconds / FanoutTimeline.SliceMilliseconds)));
        Assert.Equal((1, 0, 0), (slices[0].Moves, slices[0].Over25, slices[0].Over100));
        Assert.Equal((2, 2, 1), (slices[1].Moves, slices[1].Over25, slices[1].Over100));
        Assert.InRange(slices[1].MaxMs, 149.9, 150.1);
        // A miss is placed too, with the time until the close.
        Assert.Equal((1, 1, 1), (slices[2].Moves, slices[2].Over25, slices[2].Over100));
        Assert.InRange(slices[2].MaxMs, 1_049.9, 1_050.1);
    }
}
