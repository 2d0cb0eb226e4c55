namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class ConnectionTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Every_tab_of_a_player_gets_the_events_and_the_player_shows_disconnected_only_when_the_last_tab_closes()
    {
        var aliceGuest = await fixture.Edge1.SignInAsync("alice");
        var tab1 = await GameClient.ConnectAsync(fixture.Edge1, aliceGuest.Token, aliceGuest.PlayerId);
        var tab2 = await GameClient.ConnectAsync(fixture.Edge1, aliceGuest.Token, aliceGuest.PlayerId);
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        await using var carol = await GameClient.SignInAsync(fixture.Edge2, "carol");
        var room = await tab1.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("tabs", 3));
        await tab1.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var bobJoined = await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        var inTab1 = await tab1.WaitForSeqAsync(room.RoomId, bobJoined.Seq);
        var inTab2 = await tab2.WaitForSeqAsync(room.RoomId, bobJoined.Seq);
        Assert.Equal(inTab1, inTab2);

        await tab1.DisposeAsync();
        await Task.Delay(1000);
        var carolJoined = await carol.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.WaitForSeqAsync(room.RoomId, carolJoined.Seq);
        Assert.DoesNotContain(bob.EventsOf(room.RoomId), e => e.Kind == EventKinds.Connection);
        Assert.True(carolJoined.Players.Single(p => p.PlayerId == aliceGuest.PlayerId).Connected);

        await tab2.DisposeAsync();
        var gone = await bob.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Connection);
        Assert.Equal(aliceGuest.PlayerId, gone.PlayerId);
        Assert.False(gone.Connected);
        var view = await bob.InvokeAsync<TableView>("GetTable", room.RoomId);
        Assert.False(view.Players.Single(p => p.PlayerId == aliceGuest.PlayerId).Connected);
        Assert.Equal(3, view.Players.Count);
    }

    [Fact]
    public async Task A_player_who_leaves_gets_the_left_event_and_no_more_events_of_that_room()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        await using var carol = await GameClient.SignInAsync(fixture.Edge2, "carol");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("leaving", 3));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        await alice.InvokeAsync("LeaveRoom", room.RoomId);
        var left = await alice.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Left);
        var carolJoined = await carol.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.WaitForSeqAsync(room.RoomId, carolJoined.Seq);
        await Task.Delay(200);

        Assert.Equal(alice.PlayerId, left.PlayerId);
        Assert.DoesNotContain(alice.EventsOf(room.RoomId), e => e.Seq > left.Seq);
        Assert.Null((await alice.InvokeAsync<Welcome>("Authenticate", alice.Token)).RoomId);
    }
}
