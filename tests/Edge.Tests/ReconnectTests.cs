namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class ReconnectTests(EdgesFixture fixture)
{
    [Fact]
    public async Task A_player_reconnects_through_the_other_edge_and_resumes_the_game()
    {
        // Both start on edge 1, so edge 2 has no reason to follow the table until alice comes back through it.
        var aliceGuest = await fixture.Edge1.SignInAsync("alice");
        var alice = await GameClient.ConnectAsync(fixture.Edge1, aliceGuest.Token, aliceGuest.PlayerId);
        await using var bob = await GameClient.SignInAsync(fixture.Edge1, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("comeback", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var before = await alice.InvokeAsync<TableView>("GetTable", room.RoomId);

        await alice.DisposeAsync();
        await bob.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Connection && e.PlayerId == alice.PlayerId && e.Connected == false);
        await using var aliceAgain = await GameClient.ConnectAsync(fixture.Edge2, playerId: aliceGuest.PlayerId);
        var welcome = await aliceAgain.InvokeAsync<Welcome>("Authenticate", aliceGuest.Token);
        var resumed = await aliceAgain.InvokeAsync<TableView>("GetTable", welcome.RoomId!);

        Assert.Equal(room.RoomId, welcome.RoomId);
        Assert.Equal(before.Hand!.Order(), resumed.Hand!.Order());
        Assert.Equal(Phases.Playing, resumed.Phase);
        await bob.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Connection && e.PlayerId == alice.PlayerId && e.Connected == true);

        // The game goes on: moves by either player reach the reconnected alice on edge 2, in order, from the view on.
        var clients = new Dictionary<string, GameClient> { [aliceGuest.PlayerId] = aliceAgain, [bob.PlayerId!] = bob };
        var turn = (await bob.InvokeAsync<TableView>("GetTable", room.RoomId)).Turn!;
        TableView last = resumed;
        for (var move = 0; move < 4 && last.Phase == Phases.Playing; move++)
        {
            last = await GameTests.PlayOneMoveAsync(clients[turn], room.RoomId);
            turn = last.Turn ?? turn;
        }

        await aliceAgain.WaitForSeqAsync(room.RoomId, last.Seq);
        var seqs = aliceAgain.EventsOf(room.RoomId).Select(e => e.Seq).Where(s => s > resumed.Seq).ToList();
        Assert.Equal(GameTests.LongRange(resumed.Seq + 1, last.Seq), seqs);
        GameTests.AssertOnlyOwnCards(aliceAgain);
    }

    [Fact]
    public async Task A_player_who_connects_with_a_token_to_another_edge_gets_the_tables_events_there()
    {
        var aliceGuest = await fixture.Edge1.SignInAsync("alice");
        await using var alice = await GameClient.ConnectAsync(fixture.Edge1, aliceGuest.Token, aliceGuest.PlayerId);
        await using var bob = await GameClient.SignInAsync(fixture.Edge1, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("second tab", 3));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        // A second tab of alice on edge 2, connected with the token: the edge learns her seat at connect.
        await using var aliceTab = await GameClient.ConnectAsync(fixture.Edge2, aliceGuest.Token, aliceGuest.PlayerId);
        var welcome = await aliceTab.InvokeAsync<Welcome>("Authenticate", aliceGuest.Token);
        var joined = await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        Assert.Equal(room.RoomId, welcome.RoomId);
        var seen = await aliceTab.WaitForSeqAsync(room.RoomId, joined.Seq);
        Assert.Equal(EventKinds.Joined, seen.Kind);
        Assert.Equal(bob.PlayerId, seen.PlayerId);
        await alice.WaitForSeqAsync(room.RoomId, joined.Seq);
    }
}
