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
