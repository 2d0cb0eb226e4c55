using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Game;

namespace CardGame.LoadTest.Tests;

public sealed class TableTrackerTests
{
    private const string Room = "r1";
    private static readonly string[] Seats = ["a", "b", "c", "d"];

    [Fact]
    public void Whole_games_played_by_the_chooser_against_a_correct_table_raise_no_violation_and_every_shuffle_verifies()
    {
        var seed = Environment.TickCount;
        var violations = new Violations();

        var games = PlayGames(new FakeTable(Room, new Random(seed)), new Random(seed), violations, seed);

        Assert.True(games > 5, $"seed {seed}: only {games} games finished");
        Assert.True(violations.Total == 0, $"seed {seed}: {string.Join(Environment.NewLine, violations.Samples)}");
        Assert.InRange(violations.Checks.GetValueOrDefault(CheckNames.ShuffleVerified), games * Seats.Length, (games + 1) * Seats.Length);
        Assert.False(violations.Checks.ContainsKey(CheckNames.ShuffleNotCheckable));
    }

    [Fact]
    public void A_stock_reordered_after_a_reshuffle_is_a_shuffle_violation()
    {
        var seed = Environment.TickCount;
        var violations = new Violations();
        var cheated = 0;
        // The chooser puts whenever it can, so a run of games does not always empty the stock, and a tampered stock shows
        // only if someone takes from it and that game finishes (when the seed is revealed): play runs (seed, seed + 1,
        // …) until a tampering was caught; honest runs and games raise nothing.
        for (var run = 0; violations.ByKind.GetValueOrDefault(ViolationKinds.ShuffleNotVerified) == 0 && run < 40; run++)
        {
            var table = new FakeTable(Room, new Random(seed + run))
            {
                // The top card of the reshuffled stock swapped with the bottom one: whoever takes next gets another card.
                AfterReshuffle = stock =>
                {
                    (stock[0], stock[^1]) = (stock[^1], stock[0]);
                    cheated += stock.Count > 1 ? 1 : 0;
                },
            };

            PlayGames(table, new Random(seed + run), violations, seed + run);
        }

        Assert.True(cheated > 0, $"seed {seed}: no reshuffle to tamper with");
        Assert.True(violations.ByKind.GetValueOrDefault(ViolationKinds.ShuffleNotVerified) > 0, $"seed {seed}: the tampered reshuffles went unnoticed");
        Assert.Equal(violations.Total, violations.ByKind[ViolationKinds.ShuffleNotVerified]);
        Assert.Contains(violations.Samples, s => s.Contains("the seed gives", StringComparison.Ordinal) || s.Contains("did not put in that hand", StringComparison.Ordinal));
    }

    [Fact]
    public void A_revealed_seed_other_than_the_committed_one_is_a_shuffle_violation_for_every_player()
    {
        var seed = Environment.TickCount;
        var violations = new Violations();

        var games = PlayGames(new FakeTable(Room, new Random(seed)) { RevealsAnotherSeed = true }, new Random(seed), violations, seed);

        Assert.InRange(violations.ByKind.GetValueOrDefault(ViolationKinds.ShuffleNotVerified), games * Seats.Length, (games + 1) * Seats.Length);
        Assert.Contains(violations.Samples, s => s.Contains("not the commitment", StringComparison.Ordinal));
        Assert.False(violations.Checks.ContainsKey(CheckNames.ShuffleVerified));
    }

    /// <summary>Four trackers follow whole games the chooser plays at <paramref name="table"/>; returns the games finished and restarted.</summary>
    private static int PlayGames(FakeTable table, Random random, Violations violations, int seed)
    {
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

        return games;
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
    public void Events_missed_during_a_reconnect_come_from_Resume_and_are_no_gap()
    {
        var (tracker, violations) = Playing();
        tracker.BeginResume();
        Assert.False(tracker.IsMyTurn);

        // The new connection's events may arrive before Resume answers; they wait, and overlap its events.
        Assert.True(tracker.OnEvent(new TableEvent(Room, 8, EventKinds.Took, "c", HandCount: 6, Turn: "d")));
        Assert.True(tracker.OnEvent(new TableEvent(Room, 9, EventKinds.Took, "d", HandCount: 6, Turn: "a")));
        var caughtUp = tracker.OnResumed(new Resumed(
        [
            new TableEvent(Room, 6, EventKinds.Took, "a", Card: "QS", HandCount: 6, Turn: "b"),
            new TableEvent(Room, 7, EventKinds.Took, "b", HandCount: 6, Turn: "c"),
            new TableEvent(Room, 8, EventKinds.Took, "c", HandCount: 6, Turn: "d"),
        ], null));

        Assert.True(caughtUp);
        Assert.True(violations.Total == 0, string.Join(Environment.NewLine, violations.Samples));
        Assert.Equal(9, tracker.Seq);
        Assert.Equal(["2H", "3H", "4D", "5C", "9S", "QS"], tracker.Hand);
        Assert.Equal(27, tracker.Stock); // 52 - 20 dealt - 1 turned - 4 taken
        Assert.True(tracker.IsMyTurn);
        Assert.True(tracker.OnEvent(new TableEvent(Room, 10, EventKinds.Put, "a", Card: "QS", Suit: "S", HandCount: 5, Turn: "b")));
        Assert.Equal(0, violations.Total);
    }

    [Fact]
    public void Without_Resume_the_same_reconnect_is_a_gap()
    {
        var (tracker, violations) = Playing();

        Assert.False(tracker.OnEvent(new TableEvent(Room, 9, EventKinds.Took, "d", HandCount: 6, Turn: "a")));

        Assert.Equal(1, violations.ByKind[ViolationKinds.SeqGap]);
    }

    [Fact]
    public void Resumed_events_are_checked_like_live_ones()
    {
        var (tracker, violations) = Playing();
        tracker.BeginResume();

        tracker.OnResumed(new Resumed([new TableEvent(Room, 6, EventKinds.Took, "b", Card: "QS", HandCount: 6, Turn: "c")], null));

        Assert.Equal(1, violations.ByKind[ViolationKinds.ForeignCard]);
    }

    [Fact]
    public void A_gap_in_Resumes_events_is_reported_and_asks_for_a_view()
    {
        var (tracker, violations) = Playing();
        tracker.BeginResume();

        var caughtUp = tracker.OnResumed(new Resumed(
        [
            new TableEvent(Room, 6, EventKinds.Took, "a", Card: "QS", HandCount: 6, Turn: "b"),
            new TableEvent(Room, 8, EventKinds.Took, "c", HandCount: 6, Turn: "d"),
        ], null));

        Assert.False(caughtUp);
        Assert.Equal(1, violations.ByKind[ViolationKinds.SeqGap]);
        Assert.True(tracker.NeedsResync);
        Assert.Equal(6, tracker.Seq);
    }

    [Fact]
    public void A_view_from_Resume_replaces_the_tracked_state_and_live_events_go_on_from_it()
    {
        var (tracker, violations) = Playing();
        tracker.BeginResume();
        tracker.OnEvent(new TableEvent(Room, 41, EventKinds.Took, "b", HandCount: 3, Turn: "c"));

        var caughtUp = tracker.OnResumed(new Resumed(null, new TableView(
            Room, "t", 40, Phases.Playing, 4, [.. Seats.Select((p, i) => new PlayerView(p, p, i == 1 ? 2 : 4, true))],
            "b", "KD", "D", 31, ["KS", "2D", "7C", "AH"], null)));

        Assert.True(caughtUp);
        Assert.Equal(0, violations.Total);
        Assert.Equal(41, tracker.Seq);
        Assert.Equal(["KS", "2D", "7C", "AH"], tracker.Hand);
        Assert.Equal("KD", tracker.TopCard);
        Assert.Equal(30, tracker.Stock);
        Assert.Equal(3, tracker.HandCountOf("b"));
        Assert.Equal("c", tracker.Turn);
        Assert.False(tracker.Resuming);
    }

    [Fact]
    public void Whole_games_with_players_dropping_and_resuming_raise_no_violation()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var violations = new Violations();
        var table = new FakeTable(Room, random);
        var trackers = Seats.ToDictionary(p => p, p => new TableTracker(Room, p, violations));
        var logs = Seats.ToDictionary(p => p, _ => new List<TableEvent>()); // what Resume would answer each seat
        var away = new HashSet<string>();
        var chooser = new MoveChooser(random);
        foreach (var p in Seats)
        {
            Deliver(table.Join(p), trackers, random, logs);
            trackers[p].OnView(table.View(p));
        }

        Deliver(table.Start("a"), trackers, random, logs);
        var resumes = 0;
        for (var move = 0; move < 2000; move++)
        {
            if (table.Phase == Phases.Finished)
            {
                Deliver(table.Start("a"), trackers, random, logs, away);
            }

            // Someone's connection drops now and then; one that is away comes back with Resume.
            var who = Seats[random.Next(Seats.Length)];
            if (random.Next(10) == 0 && away.Add(who))
            {
                trackers[who].BeginResume();
            }
            else if (away.Count > 0 && random.Next(4) == 0)
            {
                var back = away.First();
                away.Remove(back);
                var tracker = trackers[back];
                var missed = logs[back].Where(e => e.Seq > tracker.Seq).ToList();
                Assert.True(tracker.OnResumed(new Resumed(missed, null)), $"seed {seed}: {back} did not catch up");
                resumes++;
            }

            var player = table.Turn!;
            if (away.Contains(player))
            {
                continue; // its turn waits until it is back
            }

            Assert.True(trackers[player].IsMyTurn, $"seed {seed}: {player} does not know it is its turn");
            var choice = chooser.Choose(trackers[player].Hand, trackers[player].TopCard, trackers[player].SuitToFollow);
            var events = choice.IsTake ? table.Take(player) : table.Put(player, choice.Card!, choice.Suit);
            Deliver(events, trackers, random, logs, away);
            trackers[player].OnView(table.View(player));
        }

        Assert.True(resumes > 20, $"seed {seed}: only {resumes} resumes");
        Assert.True(violations.Total == 0, $"seed {seed}: {string.Join(Environment.NewLine, violations.Samples)}");
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

    /// <summary>Delivers to the seats that are not <paramref name="away"/>, and logs every seat's copy for Resume.</summary>
    private static void Deliver(
        List<Dictionary<string, TableEvent>> events, Dictionary<string, TableTracker> trackers, Random random, Dictionary<string, List<TableEvent>> logs, ISet<string>? away = null)
    {
        foreach (var perRecipient in events)
        {
            foreach (var (player, e) in perRecipient)
            {
                logs[player].Add(e);
            }
        }

        Deliver(events, trackers.Where(pair => away?.Contains(pair.Key) != true).ToDictionary(), random);
    }

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
