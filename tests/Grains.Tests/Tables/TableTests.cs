using System.Text.Json;
using System.Text.Json.Nodes;
using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Time.Testing;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Tables;

public sealed class TableTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly GameOptions _options = new() { TurnTimeoutSeconds = 30, SeatHoldSeconds = 60 };

    [Fact]
    public void Every_event_gets_the_next_seq_and_goes_to_the_seated_players_and_a_leaver_sees_their_own_leave()
    {
        var table = Seated("alice", "bob", "carol");

        table.Leave("bob");

        Assert.Equal([1L, 2L, 3L, 4L], table.Pending.Select(n => n.Event.Seq));
        Assert.Equal(["alice", "bob", "carol"], table.Pending.Last().Recipients.ToArray());
        Assert.Equal(EventKinds.Left, table.Pending.Last().Event.Kind);
        Assert.Equal(["alice"], table.Pending[0].Recipients.ToArray());
    }

    [Fact]
    public void A_rejected_action_changes_nothing_and_emits_nothing()
    {
        var table = Seated("alice", "bob");
        table.Start("alice", Seed(42));
        table.Accept();
        var before = JsonSerializer.Serialize(table.State);
        var waiting = table.State.Game!.Turn == "alice" ? "bob" : "alice";

        var turn = table.State.Game.Turn!;
        var results = new[]
        {
            table.Take(waiting),
            table.Put(waiting, table.State.Game.Hands[waiting][0].ToString(), null),
            table.Start("alice", Seed(1)),
            table.Join(new PlayerSnapshot("dave", "dave")),
            table.Leave("nobody"),
            table.Take(turn, moveId: new string('m', 65)),
            table.Put(turn, table.State.Game.Hands[turn][0].ToString(), null, moveId: ""),
        };

        Assert.Equal<string?>(
            [ErrorCodes.NotYourTurn, ErrorCodes.NotYourTurn, ErrorCodes.GameInProgress, ErrorCodes.GameInProgress, ErrorCodes.NotSeated,
                ErrorCodes.BadRequest, ErrorCodes.BadRequest],
            results.Select(r => r.Error?.Code));
        Assert.Equal($"it is {table.State.Game.Turn}'s turn", results[0].Error?.Text);
        Assert.False(table.Changed);
        Assert.Empty(table.Pending);
        Assert.Equal(before, JsonSerializer.Serialize(table.State));
    }

    [Fact]
    public void The_turn_timer_takes_a_card_for_the_player_to_move_exactly_when_it_runs_out()
    {
        var table = Seated("alice", "bob");
        table.Start("alice", Seed(7));
        table.Accept();
        var turn = table.State.Game!.Turn!;
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), table.NextDeadline());

        _time.Advance(TimeSpan.FromSeconds(29.9));
        table.OnTimer();
        Assert.Empty(table.Pending);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        table.OnTimer();
        var took = Assert.Single(table.Pending).Event;
        Assert.Equal(EventKinds.Took, took.Kind);
        Assert.Equal(turn, took.PlayerId);
        Assert.True(took.Auto);
        Assert.NotEqual(turn, table.State.Game.Turn);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), table.NextDeadline());
    }

    [Fact]
    public void A_disconnected_player_keeps_the_seat_for_the_hold_then_is_released_with_a_notice()
    {
        var table = Seated("alice", "bob");
        Assert.True(table.SetConnected("bob", false));
        Assert.False(table.SetConnected("bob", false));
        Assert.Equal(_time.GetUtcNow().AddSeconds(60), table.NextDeadline());
        table.Accept();

        _time.Advance(TimeSpan.FromSeconds(59));
        table.OnTimer();
        Assert.True(table.IsSeated("bob"));

        _time.Advance(TimeSpan.FromSeconds(1));
        table.OnTimer();
        Assert.False(table.IsSeated("bob"));
        Assert.Equal(new PlayerNotice("bob", null), Assert.Single(table.Notices));
        Assert.Null(table.NextDeadline());
    }

    [Fact]
    public void A_player_who_reconnects_within_the_hold_keeps_the_seat()
    {
        var table = Seated("alice", "bob");
        table.SetConnected("bob", false);
        _time.Advance(TimeSpan.FromSeconds(30));
        table.SetConnected("bob", true);
        table.Accept();

        _time.Advance(TimeSpan.FromSeconds(60));
        table.OnTimer();

        Assert.True(table.IsSeated("bob"));
        Assert.Empty(table.Pending);
    }

    [Fact]
    public void A_won_game_finishes_the_table_and_tells_every_player_whether_they_won()
    {
        var table = Seated("alice", "bob");
        table.Start("alice", Seed(3));
        while (table.State.Phase == Phases.Playing)
        {
            var view = table.View(table.State.Game!.Turn!);
            var move = CardGame.TestSupport.MoveChooser.ChoosePut(view);
            var result = move is { } m ? table.Put(view.Turn!, m.Card, m.Suit) : table.Take(view.Turn!);
            Assert.True(result.IsOk, result.Error?.Text);
        }

        var winner = table.State.Game!.Winner!;
        Assert.Equal(EventKinds.Finished, table.Pending[^1].Event.Kind);
        Assert.Equal(winner, table.View("alice").Winner);
        Assert.Equal([new PlayerNotice("alice", winner == "alice"), new PlayerNotice("bob", winner == "bob")], table.Notices.OrderBy(n => n.PlayerId));
        Assert.True(table.Start("bob", Seed(4)).IsOk);
        Assert.Equal(2, table.State.GamesDealt);
    }

    [Fact]
    public void The_started_event_shows_the_top_card_to_all_and_each_hand_to_its_owner_only()
    {
        var table = Seated("alice", "bob");
        table.Accept();
        table.Start("alice", Seed(11));

        var started = Assert.Single(table.Pending);
        Assert.Equal(table.State.Game!.TopCard.ToString(), started.ForRecipient("bob").Card);
        Assert.Equal(table.State.Game.Hands["bob"].Select(c => c.ToString()), started.ForRecipient("bob").Hand!);
        Assert.Equal(table.State.Game.Hands["alice"].Select(c => c.ToString()), started.ForRecipient("alice").Hand!);
        Assert.Null(started.ForRecipient("carol").Hand);
    }

    [Fact]
    public void The_deal_is_committed_in_started_and_in_views_while_playing_and_its_seed_is_revealed_only_in_finished()
    {
        var table = Seated("alice", "bob", "carol");
        table.Accept();
        var seed = Seed(0xFA1E);
        var (seedHex, commitment) = (Convert.ToHexStringLower(seed), FairShuffle.Commitment(seed));
        var payloads = new List<(string Kind, string Json)>();

        table.Start("alice", seed);
        var started = Assert.Single(table.Pending).Event;
        Assert.Equal(commitment, started.DeckCommitment);
        Assert.Null(started.DeckSeed);
        while (table.State.Phase == Phases.Playing)
        {
            payloads.AddRange(table.Pending.SelectMany(n => new[] { "alice", "bob", "carol", "watcher" }.Select(p => n.ForRecipient(p)))
                .Select(e => (e.Kind, JsonSerializer.Serialize(e))));
            table.Accept();
            var view = table.View(table.State.Game!.Turn!);
            Assert.Equal(commitment, view.DeckCommitment);
            payloads.Add(("view", JsonSerializer.Serialize(view)));
            var move = CardGame.TestSupport.MoveChooser.ChoosePut(view);
            Assert.True((move is { } m ? table.Put(view.Turn!, m.Card, m.Suit) : table.Take(view.Turn!)).IsOk);
        }

        var finished = table.Pending[^1].Event;
        Assert.Equal(EventKinds.Finished, finished.Kind);
        Assert.Equal(seedHex, finished.DeckSeed);
        Assert.Null(finished.DeckCommitment);
        Assert.Null(table.View("alice").DeckCommitment);
        Assert.All(payloads, p => Assert.DoesNotContain(seedHex, p.Json, StringComparison.OrdinalIgnoreCase));
        Assert.All(payloads, p => Assert.DoesNotContain(Convert.ToBase64String(seed), p.Json, StringComparison.Ordinal));
    }

    [Fact]
    public void A_game_stored_before_the_fair_shuffle_plays_on_with_its_old_deck_and_the_next_deal_is_committed()
    {
        var table = Seated("alice", "bob");
        table.Start("alice", Seed(5));
        // What today's code stored before the fair shuffle: a game with the generator state and no seed.
        var stored = JsonNode.Parse(JsonSerializer.Serialize(table.State))!.AsObject();
        stored["Game"]!.AsObject().Remove("Seed");
        stored["Game"]!.AsObject().Remove("Reshuffles");
        stored["Game"]!["RngState"] = 0x5EED;
        var old = new Table("r1", JsonSerializer.Deserialize<TableState>(stored.ToJsonString())!, _options, _time);
        var stock = old.State.Game!.Stock.ToList();

        Assert.Null(old.State.Game.Seed);
        Assert.Null(old.View("alice").DeckCommitment);
        for (var moves = 0; old.State.Phase == Phases.Playing; moves++)
        {
            Assert.True(moves < 2000, "the old game did not end");
            var turn = old.State.Game.Turn!;
            // Mostly takes, so the stock runs out and the old game reshuffles with its own generator.
            var result = (moves % 4 == 3 || old.State.Game.RngState != 0x5EED) && CardGame.TestSupport.MoveChooser.ChoosePut(old.View(turn)) is { } m
                ? old.Put(turn, m.Card, m.Suit)
                : old.Take(turn);
            Assert.True(result.IsOk, result.Error?.Text);
            if (moves == 0)
            {
                Assert.Equal(stock.SkipLast(1), old.State.Game.Stock); // the stored deck, as it was
            }
        }

        Assert.NotEqual(0x5EEDUL, old.State.Game.RngState);
        Assert.Null(old.Pending[^1].Event.DeckSeed);
        old.Accept();
        Assert.True(old.Start("bob", Seed(6)).IsOk);
        Assert.Equal(FairShuffle.Commitment(Seed(6)), old.Pending[^1].Event.DeckCommitment);
        Assert.Equal(FairShuffle.Commitment(Seed(6)), old.View("alice").DeckCommitment);
    }

    [Fact]
    public void The_last_player_leaving_closes_the_room()
    {
        var table = Seated("alice");
        table.Leave("alice");

        Assert.False(table.Exists);
        Assert.Equal(ErrorCodes.RoomNotFound, table.Join(new PlayerSnapshot("bob", "bob")).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, table.Create("again", 4, "bob").Error?.Code);
    }

    [Fact]
    public void Joined_carries_the_name_and_events_and_views_carry_when_the_turn_ends()
    {
        var table = new Table("r1", new TableState(), _options, _time);
        table.Create("room", 4, "alice");
        table.Join(new PlayerSnapshot("alice", "Alice A."));
        table.Join(new PlayerSnapshot("bob", "Bob"));
        Assert.Equal(["Alice A.", "Bob"], table.Pending.Select(n => n.Event.Name));
        Assert.All(table.Pending, n => Assert.Null(n.Event.TurnEndsAt));
        Assert.Null(table.View("alice").TurnEndsAt);
        table.Accept();

        table.Start("alice", Seed(5));
        var deadline = _time.GetUtcNow().AddSeconds(30);
        Assert.Equal(deadline, Assert.Single(table.Pending).Event.TurnEndsAt);
        Assert.Equal(deadline, table.View("bob").TurnEndsAt);
        table.Accept();

        _time.Advance(TimeSpan.FromSeconds(12));
        Assert.True(table.Take(table.State.Game!.Turn!).IsOk);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), Assert.Single(table.Pending).Event.TurnEndsAt);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), table.View("alice").TurnEndsAt);

        while (table.State.Phase == Phases.Playing)
        {
            var view = table.View(table.State.Game!.Turn!);
            var move = CardGame.TestSupport.MoveChooser.ChoosePut(view);
            Assert.True((move is { } m ? table.Put(view.Turn!, m.Card, m.Suit) : table.Take(view.Turn!)).IsOk);
        }

        Assert.Null(table.Pending[^1].Event.TurnEndsAt);
        Assert.Null(table.Pending[^2].Event.TurnEndsAt);
        Assert.Null(table.View("alice").TurnEndsAt);
    }

    [Fact]
    public void A_room_nobody_joins_closes_after_the_empty_room_time_and_a_joined_one_does_not()
    {
        var options = new GameOptions { EmptyRoomSeconds = 120 };
        var empty = new Table("r1", new TableState(), options, _time);
        var joined = new Table("r2", new TableState(), options, _time);
        empty.Create("empty", 4, "alice");
        joined.Create("joined", 4, "alice");
        joined.Join(new PlayerSnapshot("bob", "bob"));
        empty.Accept();
        joined.Accept();
        Assert.Equal(_time.GetUtcNow().AddSeconds(120), empty.NextDeadline());
        Assert.Null(joined.NextDeadline());

        _time.Advance(TimeSpan.FromSeconds(119));
        empty.OnTimer();
        Assert.True(empty.Exists);
        Assert.False(empty.Changed);

        _time.Advance(TimeSpan.FromSeconds(1));
        empty.OnTimer();
        joined.OnTimer();
        Assert.False(empty.Exists);
        Assert.True(empty.Changed);
        Assert.Empty(empty.Pending);
        Assert.Equal(ErrorCodes.RoomNotFound, empty.Join(new PlayerSnapshot("bob", "bob")).Error?.Code);
        Assert.True(joined.Exists);
    }

    [Fact]
    public void Each_players_last_32_move_ids_are_recognised_after_a_reload_while_only_the_latest_4_are_stored_in_full()
    {
        var table = Seated("alice", "bob");
        Assert.True(table.Start("alice", Seed(7)).IsOk);
        var moves = new Dictionary<string, List<string>> { ["alice"] = [], ["bob"] = [] };
        for (var i = 0; i < 80; i++)
        {
            var turn = table.State.Game!.Turn!;
            var moveId = $"{turn}-move-{i}-{Guid.NewGuid():N}";
            Assert.True(table.Take(turn, moveId).IsOk);
            moves[turn].Add(moveId);
        }

        table.Accept();
        var stored = JsonSerializer.Serialize(table.State);
        var reloaded = new Table("r1", JsonSerializer.Deserialize<TableState>(stored)!, _options, _time);
        foreach (var (player, ids) in moves)
        {
            Assert.Equal(ids[^Table.MovesKeptInFull..], reloaded.State.AppliedMoves[player]);
            foreach (var moveId in ids[^Table.MovesRemembered..])
            {
                // A resend of a remembered move answers with the view and changes nothing.
                Assert.True(reloaded.Take(player, moveId).IsOk, moveId);
                Assert.False(reloaded.Changed, moveId);
            }
        }

        // One move older than the last 32 is a new move again: not this player's turn.
        var waiting = reloaded.State.Game!.Turn == "alice" ? "bob" : "alice";
        Assert.Equal(ErrorCodes.NotYourTurn, reloaded.Take(waiting, moves[waiting][^(Table.MovesRemembered + 1)]).Error?.Code);
        // The whole stored table is now smaller than the remembered ids alone would be in full, as they were stored before.
        var idsInFull = moves.Values.Sum(ids => ids[^Table.MovesRemembered..].Sum(id => id.Length + 3));
        Assert.True(stored.Length < idsInFull, $"{stored.Length} bytes of JSON; the ids in full: {idsInFull} bytes");
    }

    [Fact]
    public void A_table_stored_before_move_digests_recognises_the_move_ids_it_stored_in_full_also_after_its_next_move()
    {
        var table = Seated("alice", "bob");
        Assert.True(table.Start("alice", Seed(7)).IsOk);
        table.Accept();
        // As an earlier version stored it: up to 32 ids in full per player, no digests.
        var old = JsonNode.Parse(JsonSerializer.Serialize(table.State))!.AsObject();
        old.Remove(nameof(TableState.MoveDigests));
        var aliceIds = Enumerable.Range(0, Table.MovesRemembered).Select(i => $"old-alice-{i}").ToList();
        old[nameof(TableState.AppliedMoves)] = new JsonObject { ["alice"] = new JsonArray([.. aliceIds.Select(id => JsonValue.Create(id))]) };
        var loaded = new Table("r1", old.Deserialize<TableState>()!, _options, _time);

        Assert.True(loaded.Take("alice", aliceIds[0]).IsOk);
        Assert.False(loaded.Changed);

        // Alice's next move: her memory now is the 31 latest old ids and the new one, kept after a reload.
        var turn = loaded.State.Game!.Turn!;
        if (turn != "alice")
        {
            Assert.True(loaded.Take(turn, "bob-move").IsOk);
        }

        Assert.True(loaded.Take("alice", "alice-new").IsOk);
        loaded.Accept();
        var reloaded = new Table("r1", JsonSerializer.Deserialize<TableState>(JsonSerializer.Serialize(loaded.State))!, _options, _time);
        Assert.Equal(Table.MovesKeptInFull, reloaded.State.AppliedMoves["alice"].Count);
        foreach (var moveId in aliceIds.Skip(1).Append("alice-new"))
        {
            Assert.True(reloaded.Take("alice", moveId).IsOk, moveId);
            Assert.False(reloaded.Changed, moveId);
        }
    }

    [Fact]
    public void A_player_who_leaves_takes_their_move_memory_along()
    {
        var table = Seated("alice", "bob", "carol");
        Assert.True(table.Start("alice", Seed(7)).IsOk);
        for (var i = 0; i < 6; i++)
        {
            Assert.True(table.Take(table.State.Game!.Turn!, $"move-{i}").IsOk);
        }

        Assert.True(table.Leave("bob").IsOk);
        Assert.False(table.State.AppliedMoves.ContainsKey("bob"));
        Assert.False(table.State.MoveDigests.ContainsKey("bob"));
        Assert.Equal(["alice", "carol"], table.State.MoveDigests.Keys.Order());
    }

    [Fact]
    public void A_room_info_equals_the_tables_own_and_differs_from_one_with_any_property_changed()
    {
        var table = Seated("alice", "bob");
        table.Spectators = 2;
        var info = table.Info();
        Assert.True(table.InfoEquals(info));
        Assert.False(table.InfoEquals(null));

        // Each property of the room-list entry changed in turn (found by reflection, so a property added to RoomInfo
        // and not compared fails here): the table must announce it again.
        var changed = typeof(RoomInfo).GetProperties().Where(p => p.CanWrite && p.Name != "EqualityContract").ToList();
        Assert.Equal(6, changed.Count);
        foreach (var property in changed)
        {
            var other = info with { };
            object value = property.PropertyType == typeof(int) ? (int)property.GetValue(info)! + 1 : property.GetValue(info) + "x";
            property.SetValue(other, value);
            Assert.NotEqual(info, other);
            Assert.False(table.InfoEquals(other), property.Name);
        }

        table.Join(new PlayerSnapshot("carol", "carol"));
        Assert.False(table.InfoEquals(info));
        Assert.True(table.InfoEquals(table.Info()));
    }

    private Table Seated(params string[] players)
    {
        var table = new Table("r1", new TableState(), _options, _time);
        Assert.True(table.Create("room", 4, players[0]).IsOk);
        foreach (var player in players)
        {
            Assert.True(table.Join(new PlayerSnapshot(player, player)).IsOk);
        }

        return table;
    }
}
