using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Game;

namespace CardGame.LoadTest.Tests;

public sealed class TableTrackerTests
{
    private const string Room = "r1";
    private static readonly string[] Seats = ["a", "b", "c", "d"];

    [Fact]
    public void Whole_games_played_by_the_chooser_against_a_correct_table_raise_no_violation()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var violations = new Violations();
        var table = new FakeTable(Room, random);
        var trackers = Seats.ToDictionary(p => p, p => new TableTracker(Room, p, violations));
        var chooser = new MoveChooser(random);
        foreach (var p in Seats)
        {
            Deliver(table.Join(p), trackers, random);
            trackers[p].OnView(table.View(p)); // the JoinRoom result, after or before the joined events
        }

        Deliver(table.Start("d"), trackers, random);
        var games = 0;
        for (var move = 0; move < 3000; move++)
        {
            if (table.Phase == Phases.Finished)
            {
                games++;
                Deliver(table.Start("a"), trackers, random);
            }

            var player = table.Turn!;
            var tracker = trackers[player];
            Assert.True(tracker.IsMyTurn, $"seed {seed}: {player} does not know it is its turn");
            Assert.Equal(table.HandOf(player).Order(), tracker.Hand.Order());
            var choice = chooser.Choose(tracker.Hand, tracker.TopCard, tracker.SuitToFollow);
            var events = choice.IsTake ? table.Take(player) : table.Put(player, choice.Card!, choice.Suit);
            var view = table.View(player);
            if (random.Next(2) == 0)
            {
                tracker.OnView(view); // the result may overtake the events
                Deliver(events, trackers, random);
            }
            else
            {
                Deliver(events, trackers, random);
                tracker.OnView(view);
            }
        }

        Assert.True(games > 5, $"seed {seed}: only {games} games finished");
        Assert.True(violations.Total == 0, $"seed {seed}: {string.Join(Environment.NewLine, violations.Samples)}");
    }

    [Fact]
    public void A_skipped_seq_is_a_gap_and_the_next_view_resynchronizes()
    {
        var (tracker, violations) = Seated();

        Assert.False(tracker.OnEvent(new TableEvent(Room, 7, EventKinds.Connection, "b", Connected: false)));

        Assert.Equal(1, violations.ByKind[ViolationKinds.SeqGap]);
        Assert.True(tracker.NeedsResync);
        tracker.Resync(WaitingView(seq: 7));
        Assert.False(tracker.NeedsResync);
        Assert.True(tracker.OnEvent(new TableEvent(Room, 8, EventKinds.Connection, "b", Connected: true)));
        Assert.Equal(1, violations.Total);
    }

    [Fact]
    public void An_event_delivered_twice_is_reported()
    {
        var (tracker, violations) = Seated();
        tracker.OnEvent(new TableEvent(Room, 5, EventKinds.Connection, "b", Connected: false));

        tracker.OnEvent(new TableEvent(Room, 5, EventKinds.Connection, "b", Connected: false));

        Assert.Equal(1, violations.ByKind[ViolationKinds.SeqRepeat]);
    }

    [Fact]
    public void Events_that_arrive_before_the_first_view_are_replayed_after_it_and_those_it_covers_are_dropped()
    {
        var violations = new Violations();
        var tracker = new TableTracker(Room, "a", violations);
        tracker.OnEvent(new TableEvent(Room, 4, EventKinds.Joined, "a"));
        tracker.OnEvent(new TableEvent(Room, 5, EventKinds.Joined, "b"));

        tracker.OnView(WaitingView(seq: 4, players: ["a"]));

        Assert.Equal(5, tracker.Seq);
        Assert.Equal(["a", "b"], tracker.Players);
        Assert.Equal(0, violations.Total);
    }

    [Fact]
    public void The_own_joined_event_after_the_join_result_is_not_a_repeat()
    {
        var violations = new Violations();
        var tracker = new TableTracker(Room, "a", violations);
        tracker.OnView(WaitingView(seq: 4, players: ["a"]));

        tracker.OnEvent(new TableEvent(Room, 4, EventKinds.Joined, "a"));
        tracker.OnEvent(new TableEvent(Room, 5, EventKinds.Joined, "b"));

        Assert.Equal(0, violations.Total);
        Assert.Equal(5, tracker.Seq);
    }

    [Fact]
    public void Another_players_taken_card_is_a_foreign_card()
    {
        var (tracker, violations) = Playing();

        tracker.OnEvent(new TableEvent(Room, 6, EventKinds.Took, "b", Card: "QS", HandCount: 6, Turn: "c"));

        Assert.Equal(1, violations.ByKind[ViolationKinds.ForeignCard]);
    }

    [Fact]
    public void A_hand_on_any_event_but_started_is_a_foreign_hand()
    {
        var (tracker, violations) = Playing();

        tracker.OnEvent(new TableEvent(Room, 6, EventKinds.Took, "b", HandCount: 6, Turn: "c", Hand: ["2C"]));

        Assert.Equal(1, violations.ByKind[ViolationKinds.ForeignHand]);
    }

    [Fact]
    public void The_server_putting_a_card_this_player_never_held_is_card_not_dealt()
    {
        var (tracker, violations) = Playing();

        tracker.OnEvent(new TableEvent(Room, 6, EventKinds.Put, "a", Card: "8S", Suit: "D", HandCount: 4, Turn: "b"));

        Assert.Equal(1, violations.ByKind[ViolationKinds.CardNotDealt]);
    }

    [Fact]
    public void An_accepted_put_that_matches_neither_rank_nor_suit_is_reported()
    {
        var (tracker, violations) = Playing();
        tracker.OnEvent(new TableEvent(Room, 6, EventKinds.Put, "a", Card: "2H", Suit: "H", HandCount: 4, Turn: "b"));

        tracker.OnEvent(new TableEvent(Room, 7, EventKinds.Put, "b", Card: "KC", Suit: "C", HandCount: 4, Turn: "c"));

        Assert.Equal(1, violations.ByKind[ViolationKinds.IllegalMoveAccepted]);
    }

    [Fact]
    public void A_view_whose_cards_do_not_add_up_to_52_is_reported()
    {
        var (tracker, violations) = Playing();
        tracker.OnEvent(new TableEvent(Room, 6, EventKinds.Took, "a", Card: "QS", HandCount: 6, Turn: "b"));

        // Stock should be 30 after one take (52 - 20 dealt - 1 turned - 1 taken); the server claims 31.
        tracker.OnView(PlayingView(seq: 6, hand: ["2H", "3H", "4D", "5C", "9S", "QS"], counts: [6, 5, 5, 5], stock: 31, turn: "b"));

        Assert.Equal(1, violations.ByKind[ViolationKinds.CardCount]);
        Assert.Equal(1, violations.ByKind[ViolationKinds.ViewMismatch]);
    }

    [Fact]
    public void A_view_that_agrees_with_the_events_raises_nothing()
    {
        var (tracker, violations) = Playing();
        tracker.OnView(PlayingView(seq: 6, hand: ["2H", "3H", "4D", "5C", "9S", "QS"], counts: [6, 5, 5, 5], stock: 30, turn: "b"));

        tracker.OnEvent(new TableEvent(Room, 6, EventKinds.Took, "a", Card: "QS", HandCount: 6, Turn: "b"));

        Assert.Equal(0, violations.Total);
    }

    [Fact]
    public void A_started_event_without_the_own_hand_is_missing_card()
    {
        var (tracker, violations) = Seated();

        tracker.OnEvent(new TableEvent(Room, 5, EventKinds.Started, "a", Suit: "H", Turn: "a"));

        Assert.Equal(1, violations.ByKind[ViolationKinds.MissingCard]);
    }

    private static (TableTracker, Violations) Seated()
    {
        var violations = new Violations();
        var tracker = new TableTracker(Room, "a", violations);
        tracker.OnView(WaitingView(seq: 4));
        return (tracker, violations);
    }

    /// <summary>Seated at seq 4, dealt at seq 5: a holds 2H 3H 4D 5C 9S, the suit to follow is H, a's turn.</summary>
    private static (TableTracker, Violations) Playing()
    {
        var (tracker, violations) = Seated();
        tracker.OnEvent(new TableEvent(Room, 5, EventKinds.Started, "a", Suit: "H", Turn: "a", Hand: ["2H", "3H", "4D", "5C", "9S"]));
        Assert.Equal(0, violations.Total);
        return (tracker, violations);
    }

    private static TableView WaitingView(long seq, IReadOnlyList<string>? players = null) =>
        new(Room, "t", seq, Phases.Waiting, 4, [.. (players ?? Seats).Select(p => new PlayerView(p, p, 0, true))], null, null, null, 0, null, null);

    private static TableView PlayingView(long seq, IReadOnlyList<string> hand, int[] counts, int stock, string turn) =>
        new(Room, "t", seq, Phases.Playing, 4, [.. Seats.Select((p, i) => new PlayerView(p, p, counts[i], true))], turn, "7H", "H", stock, hand, null);

    private static void Deliver(List<Dictionary<string, TableEvent>> events, Dictionary<string, TableTracker> trackers, Random random)
    {
        // Each client receives its own events in order; the order between clients does not matter.
        foreach (var player in trackers.Keys.OrderBy(_ => random.Next()))
        {
            foreach (var perRecipient in events)
            {
                if (perRecipient.TryGetValue(player, out var e))
                {
                    Assert.True(trackers[player].OnEvent(e));
                }
            }
        }
    }
}
