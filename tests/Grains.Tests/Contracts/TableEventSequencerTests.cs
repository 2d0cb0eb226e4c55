using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;

namespace CardGame.Grains.Tests.Contracts;

/// <summary>
/// An edge passes each room's events on once, in order, with no gap the table can still fill: what arrives after a gap
/// waits until the events between are fetched (or the table says it no longer has them).
/// </summary>
public sealed class TableEventSequencerTests
{
    [Fact]
    public void Each_seq_is_passed_on_once_in_order_per_room()
    {
        var sequence = new TableEventSequencer();

        Assert.Equal([1, 2], Seqs(sequence.Accept("r1", Events(1, 2))));
        Assert.Equal([3], Seqs(sequence.Accept("r1", Events(2, 3))));
        Assert.Empty(Seqs(sequence.Accept("r1", Events(1, 3))));
        // A room not followed before starts at its first event, whatever its seq.
        Assert.Equal([5], Seqs(sequence.Accept("r2", Events(5, 5))));
        Assert.Equal(4, sequence.Duplicates);
        Assert.Equal(2, sequence.Count);
        Assert.Equal(3, sequence.LastSeq("r1"));
    }

    [Fact]
    public void An_event_after_a_gap_waits_until_the_fetch_fills_the_gap_then_everything_goes_in_order()
    {
        // The rolling restart's seq_gap: the edge passed on 23; the table dropped it with 24 undelivered, and after the
        // edge subscribed again its next event was 25.
        var sequence = new TableEventSequencer();
        sequence.Accept("r1", Events(22, 23));

        var step = sequence.Accept("r1", Events(25, 25));
        Assert.Empty(step.Ready);
        Assert.Equal(23, step.FetchAfter);
        Assert.True(sequence.IsHolding("r1"));

        // More arrives while the fetch is under way: held too, and no second fetch.
        var more = sequence.Accept("r1", Events(26, 26));
        Assert.Empty(more.Ready);
        Assert.Null(more.FetchAfter);

        Assert.Equal([24, 25, 26], Seqs(sequence.Filled("r1", Events(24, 25))));
        Assert.Equal(26, sequence.LastSeq("r1"));
        Assert.Equal(1, sequence.GapsFilled);
        Assert.Equal(0, sequence.GapsLeft);
        Assert.Equal([27], Seqs(sequence.Accept("r1", Events(27, 27))));
    }

    [Fact]
    public void A_gap_filled_by_a_late_batch_before_the_fetch_answers_goes_on_at_once_and_the_fetch_adds_nothing()
    {
        var sequence = new TableEventSequencer();
        sequence.Accept("r1", Events(1, 2));
        Assert.Equal(2, sequence.Accept("r1", Events(4, 5)).FetchAfter);

        Assert.Equal([3, 4, 5], Seqs(sequence.Accept("r1", Events(3, 4))));
        Assert.Empty(sequence.Filled("r1", Events(3, 5)));
        Assert.Equal(5, sequence.LastSeq("r1"));
    }

    [Fact]
    public void A_gap_the_table_no_longer_remembers_is_passed_on_after_the_fetch_and_a_later_one_is_fetched_again()
    {
        var sequence = new TableEventSequencer();
        sequence.Accept("r1", Events(1, 2));
        sequence.Accept("r1", Events(5, 6));

        Assert.Equal([5, 6], Seqs(sequence.Filled("r1", null)));
        Assert.Equal(1, sequence.GapsLeft);
        Assert.False(sequence.IsHolding("r1"));

        // Part of a gap fetched, the rest not remembered: what it fills first, then the rest.
        Assert.Equal(6, sequence.Accept("r1", Events(10, 10)).FetchAfter);
        Assert.Equal([7, 8, 10], Seqs(sequence.Filled("r1", Events(7, 8))));
        Assert.Equal(2, sequence.GapsLeft);
    }

    [Fact]
    public void A_forgotten_room_starts_afresh_and_a_fetch_from_before_is_ignored()
    {
        var sequence = new TableEventSequencer();
        sequence.Accept("r1", Events(1, 2));
        Assert.Equal(2, sequence.Accept("r1", Events(9, 9)).FetchAfter);

        // The edge subscribes to the table afresh: its clients start from a view, so 40 is no gap.
        sequence.Forget("r1");
        Assert.Equal([40], Seqs(sequence.Accept("r1", Events(40, 40))));
        Assert.Empty(sequence.Filled("r1", Events(3, 9)));
        Assert.Equal([41], Seqs(sequence.Accept("r1", Events(41, 41))));
    }

    [Fact]
    public void Too_much_held_behind_a_gap_is_passed_on_without_waiting_for_the_fetch()
    {
        var sequence = new TableEventSequencer();
        sequence.Accept("r1", Events(1, 1));
        Assert.Equal(1, sequence.Accept("r1", Events(3, 2 + TableEventSequencer.MaxHeld)).FetchAfter);

        var released = sequence.Accept("r1", Events(3 + TableEventSequencer.MaxHeld, 3 + TableEventSequencer.MaxHeld));
        Assert.Equal(TableEventSequencer.MaxHeld + 1, released.Ready.Count);
        Assert.Equal(3, released.Ready[0].Event.Seq);
        // The fetch, when it comes, adds only what is still missing: nothing, the gap having been passed on.
        Assert.Empty(sequence.Filled("r1", Events(2, 10)));
    }

    private static List<long> Seqs(TableEventSequencer.Step step) => Seqs(step.Ready);

    private static List<long> Seqs(IReadOnlyList<TableNotification> notifications) => [.. notifications.Select(n => n.Event.Seq)];

    private static List<TableNotification> Events(long first, long last) =>
        [.. Enumerable.Range((int)first, (int)(last - first + 1))
            .Select(seq => new TableNotification(new TableEvent("r1", seq, EventKinds.Took, "alice"), ["alice"]))];
}
