using System.Collections.Immutable;
using System.Text.Json;
using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace CardGame.Grains.Tests.Tables;

/// <summary>
/// The resume log keeps its events as bytes (<see cref="TableEventLog"/>, <see cref="TableEventCodec"/>): what it gives
/// back must be exactly what went in, every member, recipients and private parts included, so that <c>Resume</c> gives
/// each viewer what it gave when the log held the objects themselves.
/// </summary>
public sealed class TableEventLogTests
{
    private const string RoomId = "r-log";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Every_event_of_played_games_comes_back_the_same_and_each_viewer_sees_the_same_private_parts()
    {
        var events = PlayedGames(seed: 7);
        Assert.Equal(
            new[] { EventKinds.Joined, EventKinds.Left, EventKinds.Started, EventKinds.Took, EventKinds.Put, EventKinds.Finished, EventKinds.Connection }.Order(),
            events.Select(n => n.Event.Kind).Distinct().Order());
        var log = new TableEventLog(RoomId, events.Count);
        events.ForEach(log.Add);

        var back = log.After(0);

        AssertSame(events, back);
        var viewers = events.SelectMany(n => n.Recipients).Append("spectator-1").Distinct().ToList();
        for (var i = 0; i < events.Count; i++)
        {
            foreach (var viewer in viewers)
            {
                Assert.Equal(Json(events[i].ForRecipient(viewer)), Json(back[i].ForRecipient(viewer)));
            }

            Assert.Equal(Json(events[i].ForSpectator()), Json(back[i].ForSpectator()));
        }

        // The private parts are there (so the comparison above compared them): a dealt hand per player, taken cards.
        Assert.All(back.Where(n => n.Event.Kind == EventKinds.Started), n => Assert.Equal(n.Recipients.Length, n.Hands!.Count));
        Assert.Contains(back, n => n.Event.Kind == EventKinds.Took && n.Event.Card is not null);
    }

    [Fact]
    public void Every_member_of_a_table_event_comes_back_whatever_it_holds()
    {
        // One event per member of TableEvent with that member set (a member added to TableEvent that the codec does not
        // write fails here), then awkward values.
        var recipients = ImmutableArray.Create("p-a", "p-b");
        var baseline = new TableEvent(RoomId, 1, EventKinds.Put, "p-a");
        var events = typeof(TableEvent).GetConstructors().Single().GetParameters()
            .Select((parameter, i) => new TableNotification(WithMember(baseline, parameter.Name!) with { Seq = i + 1 }, recipients))
            .ToList();
        var awkward = new[]
        {
            new TableEvent("another-room", 0, "a-kind-from-a-newer-server", "p-not-seated", Card: "zz", Suit: "hearts", HandCount: -3,
                Turn: "", Winner: "p-b", Auto: false, Connected: false, Hand: [], Name: "\ud800 lone, \u00e9 and \U0001F0A1",
                TurnEndsAt: new DateTimeOffset(2026, 12, 1, 9, 30, 15, 123, TimeSpan.FromHours(-5.5)).AddTicks(7),
                DeckCommitment: new string('c', 300), DeckSeed: ""),
            new TableEvent(null!, long.MaxValue, null!, null, Hand: ["AH", "not a card", "10C"], Auto: true, Connected: true),
        };
        events.AddRange(awkward.Select((e, i) => new TableNotification(e with { Seq = events.Count + 1 + i }, recipients,
            ImmutableDictionary<string, ImmutableArray<string>>.Empty.Add("p-a", ["QS", "8C"]).Add("p-outsider", []).Add("p-b", default))));
        events.Add(new TableNotification(baseline with { Seq = events.Count + 1 }, default));
        events.Add(new TableNotification(baseline with { Seq = events.Count + 1, PlayerId = "p-c" }, ["p-c"]));
        events.Add(new TableNotification(baseline with { Seq = events.Count + 1 }, []));

        var log = new TableEventLog(RoomId, TableGrain.EventsRemembered);
        events.ForEach(log.Add);

        var back = log.After(0);
        AssertSame(events, back);
        // JSON writes a lone surrogate as U+FFFD: the name itself must come back, code unit for code unit.
        Assert.Equal(awkward[0].Name, back.Single(n => n.Event.Kind == awkward[0].Kind).Event.Name, StringComparer.Ordinal);
    }

    [Fact]
    public void The_log_keeps_its_latest_events_up_to_its_capacity_and_answers_for_any_seq_from_its_oldest_on()
    {
        var events = PlayedGames(seed: 11);
        Assert.True(events.Count > 300, $"only {events.Count} events");
        var log = new TableEventLog(RoomId, 256);
        var latest = 0L;
        foreach (var notification in events)
        {
            log.Add(notification);
            latest = notification.Event.Seq;
            Assert.Equal<long?>(Math.Max(1, latest - 255), log.OldestSeq);
            Assert.Equal((int)Math.Min(latest, 256), log.Count);
        }

        var kept = events.TakeLast(256).ToList();
        var oldest = kept[0].Event.Seq;
        AssertSame(kept, log.After(oldest - 1));
        AssertSame(kept, log.After(0));
        AssertSame(kept.Skip(1).ToList(), log.After(oldest));
        AssertSame(kept.TakeLast(1).ToList(), log.After(latest - 1));
        Assert.Empty(log.After(latest));
        Assert.Null(new TableEventLog(RoomId, 256).OldestSeq);
    }

    [Fact]
    public void An_exported_log_imports_the_same_events_up_to_the_seq_given_and_a_log_in_another_format_is_refused()
    {
        var events = PlayedGames(seed: 3);
        var log = new TableEventLog(RoomId, 64);
        events.ForEach(log.Add);
        var exported = log.Export()!;

        var whole = new TableEventLog(RoomId, 256);
        whole.Import(exported, long.MaxValue);
        AssertSame(events.TakeLast(64).ToList(), whole.After(0));

        // Up to a seq: what comes after it is left out (a state that migrated behind its log).
        var cut = events[^10].Event.Seq;
        var upTo = new TableEventLog(RoomId, 256);
        upTo.Import(exported, cut);
        AssertSame(events.TakeLast(64).Where(n => n.Event.Seq <= cut).ToList(), upTo.After(0));

        // Into a smaller log: the latest only.
        var small = new TableEventLog(RoomId, 8);
        small.Import(exported, long.MaxValue);
        AssertSame(events.TakeLast(8).ToList(), small.After(0));

        Assert.Null(new TableEventLog(RoomId, 8).Export());
        Assert.Throws<FormatException>(() => new TableEventLog(RoomId, 8).Import([2, .. exported[1..]], long.MaxValue));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new TableEventLog(RoomId, 8).Import(exported[..^3], long.MaxValue));
        Assert.Throws<FormatException>(() => new TableEventLog(RoomId, 8).Import([.. exported, 0], long.MaxValue));
    }

    [Fact]
    public void A_table_from_a_version_that_hands_over_its_events_as_objects_restores_them_and_one_from_this_version_its_compact_log()
    {
        var events = PlayedGames(seed: 9);
        var lastSeq = events[^5].Event.Seq;
        var log = new TableEventLog(RoomId, 256);
        events.ForEach(log.Add);

        // The previous version hands over every kept event as an object (TableMemory.Log), this one its bytes.
        var fromObjects = new TableEventLog(RoomId, 256);
        fromObjects.Restore(new TableMemory([.. events.TakeLast(256)], []), lastSeq);
        var fromBytes = new TableEventLog(RoomId, 256);
        fromBytes.Restore(new TableMemory([], [], default, log.Export()), lastSeq);
        var empty = new TableEventLog(RoomId, 256);
        empty.Restore(new TableMemory([], []), lastSeq);

        var expected = events.TakeLast(256).Where(n => n.Event.Seq <= lastSeq).ToList();
        AssertSame(expected, fromObjects.After(0));
        AssertSame(expected, fromBytes.After(0));
        Assert.Equal(0, empty.Count);
    }

    [Fact]
    public void A_move_takes_a_few_dozen_bytes_of_the_log()
    {
        var events = PlayedGames(seed: 5);
        var log = new TableEventLog(RoomId, 256);
        events.ForEach(log.Add);
        var moves = log.After(0).Where(n => n.Event.Kind is EventKinds.Put or EventKinds.Took).ToList();
        Assert.NotEmpty(moves);

        // The export is the held bytes plus the runs of recipients: per kept event, a move is about 25 bytes.
        Assert.InRange(log.Export()!.Length, 256 * 15, 256 * 40);
    }

    /// <summary>Games of 4 (and a 5th who joins between them) played on the model, with a disconnection, leaves and turn timeouts.</summary>
    private List<TableNotification> PlayedGames(int seed)
    {
        var random = new Random(seed);
        var table = new Table(RoomId, new TableState(), new GameOptions { TurnTimeoutSeconds = 30, SeatHoldSeconds = 60 }, _time);
        var events = new List<TableNotification>();

        void Collect()
        {
            events.AddRange(table.Pending);
            table.Accept();
        }

        table.Create("log", 5, "p-0");
        foreach (var i in Enumerable.Range(0, 4))
        {
            table.Join(new PlayerSnapshot($"p-{i}", $"Player {i} \u00e9"));
        }

        Collect();
        for (var game = 0; events.Count < 420; game++)
        {
            Assert.True(table.Start("p-0", FairShuffle.NewSeed()).IsOk);
            Collect();
            for (var move = 0; table.State.Phase == Phases.Playing; move++)
            {
                Assert.True(move < 5000, "the game did not end");
                if (game == 1 && move == 5)
                {
                    // A player leaves during a game: the left event carries the turn, and goes to the leaver too.
                    table.Leave("p-4");
                    Collect();
                    continue;
                }

                var turn = table.State.Game!.Turn!;
                if (move == 3)
                {
                    table.SetConnected(turn, false);
                    table.SetConnected(turn, true);
                }

                if (move % 17 == 16)
                {
                    // A turn that times out: the server takes for the player (auto).
                    _time.Advance(TimeSpan.FromSeconds(31));
                    table.OnTimer();
                    Collect();
                    continue;
                }

                var hand = table.View(turn).Hand ?? [];
                var put = hand.OrderBy(_ => random.Next()).Select(card => table.Put(turn, card, card.StartsWith('8') ? "S" : null)).FirstOrDefault(r => r.IsOk);
                if (put is null)
                {
                    table.Take(turn);
                }

                Collect();
            }

            if (game == 0)
            {
                table.Join(new PlayerSnapshot("p-4", "late"));
                table.Leave("p-1");
                table.Join(new PlayerSnapshot("p-1", "back"));
                Collect();
            }
        }

        return events;
    }

    private static TableEvent WithMember(TableEvent e, string member) => member switch
    {
        nameof(TableEvent.RoomId) => e with { RoomId = "r-other" },
        nameof(TableEvent.Seq) => e with { Seq = 12345678901 },
        nameof(TableEvent.Kind) => e with { Kind = EventKinds.Took },
        nameof(TableEvent.PlayerId) => e with { PlayerId = "p-b" },
        nameof(TableEvent.Card) => e with { Card = "10H" },
        nameof(TableEvent.Suit) => e with { Suit = "D" },
        nameof(TableEvent.HandCount) => e with { HandCount = 300 },
        nameof(TableEvent.Turn) => e with { Turn = "p-b" },
        nameof(TableEvent.Winner) => e with { Winner = "p-a" },
        nameof(TableEvent.Auto) => e with { Auto = true },
        nameof(TableEvent.Connected) => e with { Connected = false },
        nameof(TableEvent.Hand) => e with { Hand = ["2C", "KD"] },
        nameof(TableEvent.Name) => e with { Name = "a name" },
        nameof(TableEvent.TurnEndsAt) => e with { TurnEndsAt = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero) },
        nameof(TableEvent.DeckCommitment) => e with { DeckCommitment = "ab12" },
        nameof(TableEvent.DeckSeed) => e with { DeckSeed = "cd34" },
        _ => throw new InvalidOperationException($"TableEvent.{member} is new: write it in TableEventCodec, and give it a value here"),
    };

    private static void AssertSame(IReadOnlyList<TableNotification> expected, IReadOnlyList<TableNotification> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Json(expected[i]), Json(actual[i]));
        }
    }

    /// <summary>Every member, the hands in player order (a dictionary's order is not part of it); default and empty told apart.</summary>
    private static string Json(TableNotification n) => JsonSerializer.Serialize(new
    {
        Event = Json(n.Event),
        Recipients = n.Recipients.IsDefault ? null : n.Recipients.ToArray(),
        Hands = n.Hands?.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new { h.Key, Cards = h.Value.IsDefault ? null : h.Value.ToArray() }).ToArray(),
    });

    private static string Json(TableEvent e) =>
        JsonSerializer.Serialize(e with { Hand = e.Hand?.ToArray() }) + (e.TurnEndsAt is { } at ? $" {at.Ticks}/{at.Offset}" : "");
}
