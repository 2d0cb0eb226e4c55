using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace CardGame.Grains.Tests.Rooms;

/// <summary>A shard's rooms: the newest announcement of each room wins, whatever order they arrive in.</summary>
public sealed class RoomEntriesTests
{
    private static readonly RoomInfo Room = new("r1", "room", 4, 2, Phases.Waiting);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 19, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_announcement_overtaken_by_a_newer_one_changes_nothing()
    {
        var entries = new RoomEntries(_time);
        Assert.Equal(LobbyEventKinds.RoomAdded, entries.Announce(Room, new RoomEntryVersion(2, 200))?.Kind);

        Assert.Null(entries.Announce(Room with { Players = 1 }, new RoomEntryVersion(1, 300)));
        Assert.Null(entries.Announce(Room with { Players = 0 }, new RoomEntryVersion(0, 100)));

        Assert.Equal(2, Assert.Single(entries.Rooms).Players);
    }

    [Fact]
    public void Announcements_of_one_seq_are_ordered_by_their_stamp()
    {
        var entries = new RoomEntries(_time);
        entries.Announce(Room with { Spectators = 1 }, new RoomEntryVersion(2, 300));

        Assert.Null(entries.Announce(Room, new RoomEntryVersion(2, 250)));
        Assert.Equal(LobbyEventKinds.RoomChanged, entries.Announce(Room with { Spectators = 2 }, new RoomEntryVersion(2, 301))?.Kind);

        Assert.Equal(2, Assert.Single(entries.Rooms).Spectators);
    }

    [Fact]
    public void An_announcement_from_before_the_room_closed_that_arrives_after_it_does_not_list_the_room_again()
    {
        var entries = new RoomEntries(_time);
        entries.Announce(Room, new RoomEntryVersion(2, 200));

        Assert.Equal(LobbyEventKinds.RoomRemoved, entries.Withdraw(Room.RoomId, new RoomEntryVersion(3, 400))?.Kind);
        Assert.Null(entries.Announce(Room with { Players = 1 }, new RoomEntryVersion(3, 350)));
        Assert.Empty(entries.Rooms);
    }

    [Fact]
    public void A_withdrawal_that_arrives_before_the_announcements_it_follows_still_keeps_the_room_out()
    {
        var entries = new RoomEntries(_time);

        Assert.Null(entries.Withdraw(Room.RoomId, new RoomEntryVersion(3, 400)));
        Assert.Null(entries.Announce(Room, new RoomEntryVersion(2, 200)));
        Assert.Empty(entries.Rooms);
    }

    [Fact]
    public void A_room_opened_again_under_its_id_after_it_closed_is_listed_whatever_the_order()
    {
        var empty = Room with { Players = 0 };
        var late = new RoomEntries(_time);
        late.Announce(empty, new RoomEntryVersion(0, 200));
        Assert.Null(late.Withdraw(Room.RoomId, new RoomEntryVersion(0, 100)));
        Assert.Single(late.Rooms);

        var inOrder = new RoomEntries(_time);
        inOrder.Withdraw(Room.RoomId, new RoomEntryVersion(0, 100));
        Assert.Equal(LobbyEventKinds.RoomAdded, inOrder.Announce(empty, new RoomEntryVersion(0, 200))?.Kind);
        Assert.Single(inOrder.Rooms);
    }

    [Fact]
    public void A_late_announcement_still_counts_as_a_sign_of_life_of_its_table()
    {
        var entries = new RoomEntries(_time);
        entries.Announce(Room, new RoomEntryVersion(2, 200));
        _time.Advance(TimeSpan.FromSeconds(60));
        entries.Announce(Room with { Players = 1 }, new RoomEntryVersion(1, 100));
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Empty(entries.Expire(_time.GetUtcNow() - TimeSpan.FromSeconds(90)));
        Assert.Equal(2, Assert.Single(entries.Rooms).Players);
    }

    [Fact]
    public void Rooms_not_heard_of_are_dropped_and_withdrawals_forgotten_after_the_silence()
    {
        var entries = new RoomEntries(_time);
        entries.Announce(Room, new RoomEntryVersion(2, 200));
        entries.Withdraw("r2", new RoomEntryVersion(5, 500));
        _time.Advance(TimeSpan.FromSeconds(91));

        Assert.Equal(Room.RoomId, Assert.Single(entries.Expire(_time.GetUtcNow() - TimeSpan.FromSeconds(90))).RoomId);
        Assert.Empty(entries.Rooms);
        // The withdrawal of r2 is forgotten too: nothing that old is still on its way.
        Assert.Equal(LobbyEventKinds.RoomAdded, entries.Announce(Room with { RoomId = "r2" }, new RoomEntryVersion(1, 100))?.Kind);
    }

    [Fact]
    public void Announcements_without_a_version_from_tables_of_version_1_are_taken_as_they_come()
    {
        var entries = new RoomEntries(_time);
        entries.Announce(Room, new RoomEntryVersion(2, 200));

        Assert.Equal(LobbyEventKinds.RoomChanged, entries.Announce(Room with { Players = 1 }, version: null)?.Kind);
        Assert.Equal(1, Assert.Single(entries.Rooms).Players);
        // After one without a version, the next versioned one is taken, whatever its version.
        Assert.Equal(LobbyEventKinds.RoomChanged, entries.Announce(Room with { Players = 3 }, new RoomEntryVersion(1, 100))?.Kind);
        Assert.Equal(LobbyEventKinds.RoomRemoved, entries.Withdraw(Room.RoomId, version: null)?.Kind);
        Assert.Empty(entries.Rooms);
    }
}
