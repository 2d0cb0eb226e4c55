using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using CardGame.Edge.Delivery;
using Microsoft.Extensions.Logging.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// The edge's only seating is each table's last word: a newer statement replaces an older one, a late one changes
/// nothing, and a table is needed here exactly while its last word seats a player connected here.
/// </summary>
public sealed class TableSeatsTests
{
    [Fact]
    public void A_table_is_followed_while_its_newest_word_seats_a_local_player_and_a_late_word_changes_nothing()
    {
        var players = new LocalPlayers();
        var seats = new TableSeats(players);
        Assert.Equal(1, players.TryAdd(Connection("c1", "alice"), maxPerPlayer: 8));

        seats.Said("r1", 3, ["alice", "bob"]);
        Assert.True(seats.IsSeatedHere("r1"));
        Assert.Equal(["r1"], seats.SeatedRooms());
        Assert.Equal(1, seats.SeatedPlayerCount());

        seats.Said("r1", 5, ["bob"]); // alice left (the table's left event names who is still seated)
        Assert.False(seats.IsSeatedHere("r1"));
        seats.Said("r1", 4, ["alice", "bob"]); // an older event arriving late
        Assert.False(seats.IsSeatedHere("r1"));
        Assert.Empty(seats.SeatedRooms());

        seats.Said("r1", 6, ["bob", "alice"]); // she joins again
        Assert.True(seats.IsSeatedHere("r1"));

        // Her last connection here closes: the table no longer seats anyone connected here.
        players.Remove("c1");
        Assert.False(seats.IsSeatedHere("r1"));
        Assert.Equal(0, seats.SeatedPlayerCount());
    }

    [Fact]
    public void What_a_table_says_about_players_not_connected_here_is_not_kept()
    {
        var players = new LocalPlayers();
        var seats = new TableSeats(players);
        seats.Said("r2", 1, ["carol"]);
        Assert.Equal(1, players.TryAdd(Connection("c2", "carol"), maxPerPlayer: 8));
        Assert.False(seats.IsSeatedHere("r2")); // nothing was kept: the next word of the table counts

        seats.Said("r2", 2, ["carol"]);
        Assert.True(seats.IsSeatedHere("r2"));
        seats.Said("r2", 3, []);
        Assert.False(seats.IsSeatedHere("r2"));
    }

    [Fact]
    public async Task A_change_of_seats_or_of_who_is_connected_wakes_the_subscriptions()
    {
        var players = new LocalPlayers();
        var seats = new TableSeats(players);
        Assert.False(await seats.WaitForChangeAsync(TimeSpan.Zero, CancellationToken.None));
        players.TryAdd(Connection("c3", "dave"), maxPerPlayer: 8);
        Assert.True(await seats.WaitForChangeAsync(TimeSpan.Zero, CancellationToken.None));
        seats.Said("r3", 1, ["dave"]);
        Assert.True(await seats.WaitForChangeAsync(TimeSpan.Zero, CancellationToken.None));
        seats.Said("r3", 1, ["dave"]); // the same word again: no change
        Assert.False(await seats.WaitForChangeAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public void A_table_is_named_changed_when_its_seats_or_the_local_presence_of_a_player_it_seats_change_and_not_when_its_word_repeats()
    {
        var players = new LocalPlayers();
        var seats = new TableSeats(players);
        Assert.Equal(1, players.TryAdd(Connection("c7", "erin"), maxPerPlayer: 8));
        seats.Said("r5", 1, ["erin", "remote"]);
        seats.Said("r6", 1, ["erin2"]); // seats nobody connected here: not kept
        Assert.Equal(["r5"], Changed(seats));
        Assert.Empty(Changed(seats)); // taken

        seats.Said("r5", 2, ["erin", "remote"]); // the same players: only the seq is news
        Assert.Empty(Changed(seats));

        Assert.Equal(1, players.TryAdd(Connection("c8", "remote"), maxPerPlayer: 8)); // a player seated there connects here
        Assert.Equal(2, players.TryAdd(Connection("c9", "remote"), maxPerPlayer: 8)); // a second connection: no change
        Assert.Equal(1, players.TryAdd(Connection("c10", "stranger"), maxPerPlayer: 8)); // seated at no table known here
        Assert.Equal(["r5"], Changed(seats));

        players.Remove("c8");
        Assert.Empty(Changed(seats)); // still connected through c9
        players.Remove("c9");
        Assert.Equal(["r5"], Changed(seats));

        seats.Said("r5", 3, ["erin"]); // remote left
        Assert.Equal(["r5"], Changed(seats));
        players.Remove("c7");
        Assert.Equal(["r5"], Changed(seats)); // erin's last connection here: the table no longer seats anyone here
        seats.Forget("r5");
        Assert.Equal(1, players.TryAdd(Connection("c11", "erin"), maxPerPlayer: 8));
        Assert.Empty(Changed(seats)); // forgotten: nothing of it is kept here any more
    }

    private static List<string> Changed(TableSeats seats)
    {
        var rooms = new HashSet<string>();
        seats.TakeChangedRooms(rooms);
        return [.. rooms.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Who_is_present_at_a_table_is_its_local_players_in_ordinal_order_and_is_compared_without_a_copy()
    {
        var players = new LocalPlayers();
        var seats = new TableSeats(players);
        Assert.Equal(1, players.TryAdd(Connection("c4", "zed"), maxPerPlayer: 8));
        Assert.Equal(1, players.TryAdd(Connection("c5", "Amy"), maxPerPlayer: 8));
        Assert.Equal(1, players.TryAdd(Connection("c6", "bea"), maxPerPlayer: 8));
        seats.Said("r4", 1, ["zed", "remote", "bea", "Amy"]);

        Assert.Equal(["Amy", "bea", "zed"], seats.PresentAt("r4")); // ordinal: upper case first; "remote" is not here
        Assert.True(seats.IsPresentAt("r4", ["Amy", "bea", "zed"]));
        Assert.False(seats.IsPresentAt("r4", ["bea", "Amy", "zed"])); // the order the table was told matters
        Assert.False(seats.IsPresentAt("r4", ["Amy", "bea"]));
        Assert.False(seats.IsPresentAt("r4", ["Amy", "bea", "remote", "zed"]));

        players.Remove("c4"); // zed's last connection here closes
        Assert.Equal(["Amy", "bea"], seats.PresentAt("r4"));
        Assert.True(seats.IsPresentAt("r4", ["Amy", "bea"]));
        Assert.False(seats.IsPresentAt("r4", ["Amy", "bea", "zed"]));

        Assert.Empty(seats.PresentAt("unknown"));
        Assert.True(seats.IsPresentAt("unknown", []));
        Assert.False(seats.IsPresentAt("unknown", ["Amy"]));
    }

    [Fact]
    public void A_view_says_its_players_as_their_ids_would_and_the_same_players_again_cost_no_allocation()
    {
        var players = new LocalPlayers();
        var seats = new TableSeats(players);
        Assert.Equal(1, players.TryAdd(Connection("c1", "alice"), maxPerPlayer: 8));
        var alice = new PlayerView("alice", "Alice", 5, true);
        var bob = new PlayerView("bob", "Bob", 5, true);

        seats.Said(View(3, alice, bob));
        Assert.True(seats.IsSeatedHere("r1"));
        seats.Said(View(5, bob)); // alice left
        Assert.False(seats.IsSeatedHere("r1"));
        seats.Said(View(4, alice, bob)); // an older view arriving late changes nothing
        Assert.False(seats.IsSeatedHere("r1"));
        seats.Said(View(6, alice, bob)); // she joined again
        Assert.True(seats.IsSeatedHere("r1"));

        // Every move's answer is a view seating the same players: only its seq is news, and nothing is made for it
        // (the ids were listed with LINQ before: an iterator and an enumerator per move).
        var views = Enumerable.Range(7, 101).Select(seq => View(seq, alice, bob)).ToList();
        seats.Said(views[0]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < views.Count; i++)
        {
            seats.Said(views[i]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(seats.IsSeatedHere("r1"));
        seats.Said(View(106, bob)); // older than the last: ignored
        Assert.True(seats.IsSeatedHere("r1"));
    }

    private static TableView View(long seq, params PlayerView[] players) =>
        new("r1", "room", seq, Phases.Playing, 4, players, null, null, null, 0, null, null, null, 0, null);

    private static LocalConnection Connection(string id, string playerId) =>
        new(id, playerId, new ConnectionOutbox(new SilentConnection(id), 16, NullLogger.Instance));

    private sealed class SilentConnection(string id) : IClientConnection
    {
        public string Id => id;

        public System.Net.IPAddress? RemoteAddress => null;

        public Task SendEventAsync(Contracts.Protocol.TableEvent tableEvent) => Task.CompletedTask;

        public Task SendEventAsync(PreparedEvent<Contracts.Protocol.TableEvent> tableEvent) => Task.CompletedTask;

        public Task SendLobbyEventsAsync(IReadOnlyList<PreparedEvent<Contracts.Protocol.LobbyEvent>> lobbyEvents) => Task.CompletedTask;

        public Task<bool> CloseAsync(Contracts.Protocol.GameError reason) => Task.FromResult(true);

        public void Abort()
        {
        }
    }
}
