using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class IdempotencyAndResumeTests(EdgesFixture fixture)
{
    [Fact]
    public async Task TakeCard_and_PutCard_accept_an_optional_moveId_and_a_retry_through_the_other_edge_is_applied_once()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("retries", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var (mover, other) = started.Turn == alice.PlayerId ? (alice, bob) : (bob, alice);

        var took = await mover.InvokeAsync<TableView>("TakeCard", room.RoomId, "m-1");
        // The same move retried, as after a timeout, through another connection on the other edge.
        await using var moverAgain = await GameClient.ConnectAsync(mover == alice ? fixture.Edge2 : fixture.Edge1, mover.Token, mover.PlayerId);
        var retried = await moverAgain.InvokeAsync<TableView>("TakeCard", room.RoomId, "m-1");

        Assert.Equal(took.Seq, retried.Seq);
        Assert.Equal(took.Hand!.Order(), retried.Hand!.Order());
        // Without a moveId the old two-argument call still works.
        var plain = await other.InvokeAsync<TableView>("TakeCard", room.RoomId);
        Assert.Equal(took.Seq + 1, plain.Seq);
        var error = await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync<TableView>("TakeCard", room.RoomId, "m-2"));
        Assert.Equal(ErrorCodes.NotYourTurn, GameError.FromHubMessage(error.Message)?.Code);
    }

    [Fact]
    public async Task Resume_returns_the_events_a_client_missed_with_only_its_own_cards()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("resume", 2));
        var joined = await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var last = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var clients = new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        for (var move = 0; move < 4 && last.Phase == Phases.Playing; move++)
        {
            last = await GameTests.PlayOneMoveAsync(clients[last.Turn!], room.RoomId);
        }

        var current = await bob.InvokeAsync<TableView>("GetTable", room.RoomId);
        var resumed = await bob.InvokeAsync<Resumed>("Resume", room.RoomId, joined.Seq);

        Assert.Null(resumed.View);
        Assert.Equal(GameTests.LongRange(joined.Seq + 1, current.Seq), resumed.Events!.Select(e => e.Seq).ToList());
        Assert.Equal(7, resumed.Events!.Single(e => e.Kind == EventKinds.Started).Hand!.Count);
        Assert.All(resumed.Events!.Where(e => e.Kind == EventKinds.Took && e.PlayerId != bob.PlayerId), e => Assert.Null(e.Card));
        var tooFar = await Assert.ThrowsAsync<HubException>(() => bob.InvokeAsync<Resumed>("Resume", room.RoomId, current.Seq + 5));
        Assert.Equal(ErrorCodes.BadRequest, GameError.FromHubMessage(tooFar.Message)?.Code);
    }
}
