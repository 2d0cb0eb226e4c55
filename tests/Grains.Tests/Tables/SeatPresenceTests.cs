using Microsoft.Extensions.Time.Testing;

namespace CardGame.Grains.Tests.Tables;

public sealed class SeatPresenceTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_player_is_connected_while_an_edge_lists_them_and_not_once_no_list_names_them()
    {
        var presence = new SeatPresence(_time, Lifetime);
        presence.List("edge-a", ["alice", "bob"], []);
        presence.List("edge-b", ["bob"], []);

        Assert.True(presence.IsConnected("alice", unlistedFollowers: false));
        Assert.True(presence.IsConnected("bob", unlistedFollowers: false));

        presence.List("edge-a", ["bob"], []);
        Assert.False(presence.IsConnected("alice", unlistedFollowers: false));
        // An edge of the previous version following too changes nothing for a player a list named.
        Assert.False(presence.IsConnected("alice", unlistedFollowers: true));

        presence.Unlist("edge-a", ["bob"]);
        Assert.True(presence.IsConnected("bob", unlistedFollowers: false));
        presence.Unlist("edge-b", ["bob"]);
        Assert.False(presence.IsConnected("bob", unlistedFollowers: false));
    }

    [Fact]
    public void A_refresh_repeating_a_list_moves_its_time_and_a_changed_one_replaces_it()
    {
        var presence = new SeatPresence(_time, Lifetime);
        presence.List("edge-a", ["alice", "bob"], []);
        _time.Advance(TimeSpan.FromSeconds(30));
        presence.List("edge-a", ["bob", "alice"], []);
        var listed = Assert.Single(presence.Export());
        Assert.Equal(_time.GetUtcNow(), listed.RefreshedAt);
        Assert.Equal(["alice", "bob"], listed.Players.Order());

        _time.Advance(TimeSpan.FromSeconds(30));
        presence.List("edge-a", ["alice"], []);
        listed = Assert.Single(presence.Export());
        Assert.Equal(_time.GetUtcNow(), listed.RefreshedAt);
        Assert.Equal(["alice"], listed.Players.Order());
        Assert.False(presence.IsConnected("bob", unlistedFollowers: false));
    }

    [Fact]
    public void The_players_of_an_edge_that_stops_refreshing_its_list_are_disconnected_when_the_list_lapses()
    {
        var presence = new SeatPresence(_time, Lifetime);
        presence.List("edge-gone", ["alice"], []);
        presence.List("edge-live", ["bob"], []);

        _time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        presence.List("edge-live", ["bob"], []);
        Assert.True(presence.IsConnected("alice", unlistedFollowers: false));

        _time.Advance(TimeSpan.FromSeconds(1));
        presence.Prune(["alice", "bob"]);
        Assert.False(presence.IsConnected("alice", unlistedFollowers: false));
        Assert.True(presence.IsConnected("bob", unlistedFollowers: false));
    }

    [Fact]
    public void A_player_no_list_has_named_keeps_their_state_for_a_lifetime_unless_an_edge_that_lists_nobody_follows()
    {
        var presence = new SeatPresence(_time, Lifetime);
        _time.Advance(TimeSpan.FromSeconds(30));
        presence.Seated("carol");

        // "alice" was seated before this activation, "carol" just now: edges have a lifetime to name them.
        Assert.Null(presence.IsConnected("alice", unlistedFollowers: false));
        Assert.Null(presence.IsConnected("carol", unlistedFollowers: false));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(presence.IsConnected("alice", unlistedFollowers: false));
        Assert.Null(presence.IsConnected("carol", unlistedFollowers: false));
        Assert.Null(presence.IsConnected("alice", unlistedFollowers: true));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(presence.IsConnected("carol", unlistedFollowers: false));
    }

    [Fact]
    public void A_player_who_sits_down_again_gets_a_lifetime_to_be_named_again()
    {
        var presence = new SeatPresence(_time, Lifetime);
        presence.List("edge-a", ["alice"], []);
        presence.List("edge-a", [], []);
        Assert.False(presence.IsConnected("alice", unlistedFollowers: false));

        presence.Seated("alice");

        Assert.Null(presence.IsConnected("alice", unlistedFollowers: false));
    }

    [Fact]
    public void A_player_an_edge_says_departed_is_disconnected_even_if_this_activation_never_saw_them_listed()
    {
        var presence = new SeatPresence(_time, Lifetime);
        presence.List("edge-a", ["bob"], ["alice"]);
        presence.Unlist("edge-b", ["carol"]);

        Assert.False(presence.IsConnected("alice", unlistedFollowers: false));
        Assert.False(presence.IsConnected("carol", unlistedFollowers: false));
        Assert.True(presence.IsConnected("bob", unlistedFollowers: false));
    }

    [Fact]
    public void The_lists_travel_to_the_next_activation_with_their_refresh_times()
    {
        var presence = new SeatPresence(_time, Lifetime);
        presence.List("edge-a", ["alice"], []);
        _time.Advance(TimeSpan.FromSeconds(50));

        var next = new SeatPresence(_time, Lifetime);
        next.Import(presence.Export());

        Assert.True(next.IsConnected("alice", unlistedFollowers: false));
        _time.Advance(TimeSpan.FromSeconds(10));
        next.Prune(["alice"]);
        Assert.False(next.IsConnected("alice", unlistedFollowers: false));
    }
}
