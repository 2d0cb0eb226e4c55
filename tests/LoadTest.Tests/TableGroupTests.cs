using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;

namespace CardGame.LoadTest.Tests;

public sealed class TableGroupTests
{
    [Fact]
    public void Two_seats_dealt_the_same_card_is_a_foreign_hand()
    {
        var (group, _, violations) = Group();
        var started = new TableEvent("r", 5, EventKinds.Started, "a", Suit: "H", Turn: "a");

        group.EventReceived("a", started with { Hand = ["2H", "3H"] }, Clock.Now);
        group.EventReceived("b", started with { Hand = ["4H", "3H"] }, Clock.Now);

        Assert.Equal(1, violations.ByKind[ViolationKinds.ForeignHand]);
    }

    [Fact]
    public void A_seat_sent_its_own_deal_again_after_a_reconnect_is_no_foreign_hand_and_no_second_receiver()
    {
        var (group, metrics, violations) = Group();
        var started = new TableEvent("r", 5, EventKinds.Started, "a", Suit: "H", Turn: "a");

        // At-least-once delivery: a seat that reconnected may be sent its deal again.
        group.EventReceived("a", started with { Hand = ["2H", "3H"] }, Clock.Now);
        group.EventReceived("a", started with { Hand = ["2H", "3H"] }, Clock.Now);
        group.EventReceived("b", started with { Hand = ["4H", "5H"] }, Clock.Now);
        Assert.Equal(0, violations.Total);
        group.EventReceived("c", started with { Hand = ["6H", "3H"] }, Clock.Now);
        Assert.Equal(1, violations.ByKind[ViolationKinds.ForeignHand]); // another seat with a's card still is one

        // Nor is a seat's second copy of a move another seat having it.
        metrics.StartMeasuring();
        var sent = Clock.Now;
        group.ActionSent("a", sent, metrics.MoveSent(sent));
        var took = new TableEvent("r", 6, EventKinds.Took, "a", HandCount: 3, Turn: "b");
        group.EventReceived("a", took with { Card = "7H" }, sent + Clock.FromSeconds(0.001));
        group.EventReceived("b", took, sent + Clock.FromSeconds(0.002));
        group.EventReceived("b", took, sent + Clock.FromSeconds(0.003));
        Assert.Equal(0, metrics.FanoutAll.Summary().Count);
        group.EventReceived("c", took, sent + Clock.FromSeconds(0.010));
        Assert.Equal(1, metrics.FanoutAll.Summary().Count);
    }

    [Fact]
    public void Seats_seeing_different_public_content_at_one_seq_is_divergent()
    {
        var (group, _, violations) = Group();

        group.EventReceived("a", new TableEvent("r", 9, EventKinds.Put, "a", Card: "2H", Suit: "H", HandCount: 3, Turn: "b"), Clock.Now);
        group.EventReceived("b", new TableEvent("r", 9, EventKinds.Put, "a", Card: "2H", Suit: "H", HandCount: 3, Turn: "c"), Clock.Now);

        Assert.Equal(1, violations.ByKind[ViolationKinds.DivergentEvent]);
    }

    [Fact]
    public void The_taken_card_may_differ_between_seats()
    {
        var (group, _, violations) = Group();

        group.EventReceived("a", new TableEvent("r", 9, EventKinds.Took, "a", Card: "2H", HandCount: 3, Turn: "b"), Clock.Now);
        group.EventReceived("b", new TableEvent("r", 9, EventKinds.Took, "a", HandCount: 3, Turn: "b"), Clock.Now);

        Assert.Equal(0, violations.Total);
    }

    [Fact]
    public void Fan_out_is_timed_from_when_the_move_was_due_until_the_last_other_seat_has_the_event()
    {
        var (group, metrics, _) = Group();
        metrics.StartMeasuring();
        var sent = Clock.Now;
        group.ActionSent("a", sent, metrics.MoveSent(sent));
        var e = new TableEvent("r", 9, EventKinds.Took, "a", HandCount: 3, Turn: "b");

        group.EventReceived("b", e, sent + Clock.FromSeconds(0.002));
        group.EventReceived("a", e with { Card = "2H" }, sent + Clock.FromSeconds(0.001));
        Assert.Equal(0, metrics.FanoutAll.Summary().Count);
        group.EventReceived("c", e, sent + Clock.FromSeconds(0.010));

        var fanout = metrics.FanoutAll.Summary();
        Assert.Equal(1, fanout.Count);
        Assert.InRange(fanout.Max, 9.9, 10.1);
        Assert.Equal(2, metrics.Delivery.Summary().Count);
    }

    [Fact]
    public void A_move_whose_event_never_reaches_every_seat_is_a_fan_out_miss_at_the_close()
    {
        var (group, metrics, _) = Group();
        metrics.StartMeasuring();
        var due = Clock.Now;
        var ticket = metrics.MoveSent(due);
        group.ActionSent("a", due, ticket);
        var e = new TableEvent("r", 9, EventKinds.Took, "a", HandCount: 3, Turn: "b");
        group.EventReceived("a", e with { Card = "2H" }, due + Clock.FromSeconds(0.001));
        group.EventReceived("b", e, due + Clock.FromSeconds(0.002));
        metrics.ActionDone(ticket, due + Clock.FromSeconds(0.003));

        metrics.Close(due + Clock.FromSeconds(7));

        Assert.Equal((0, 1), (metrics.AckMisses, metrics.FanoutMisses));
        var fanout = metrics.FanoutAll.Summary();
        Assert.Equal(1, fanout.Count);
        Assert.InRange(fanout.Max, 6_990, 7_010);
    }

    private static (TableGroup, RunMetrics, Violations) Group()
    {
        var metrics = new RunMetrics();
        var violations = new Violations();
        return (new TableGroup(0, 3, metrics, violations), metrics, violations);
    }
}
