using System.Text.Json;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class SpectatorTests(EdgesFixture fixture)
{
    [Fact]
    public async Task A_spectator_on_the_other_edge_sees_every_event_in_order_without_a_private_part_and_is_counted()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge1, "bob");
        await using var sam = await GameClient.SignInAsync(fixture.Edge2, "sam");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("watched", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        var watched = await sam.InvokeAsync<TableView>("WatchRoom", room.RoomId);
        Assert.Null(watched.Hand);
        Assert.Equal(1, watched.Spectators);
        Assert.Equal(1, (await alice.InvokeAsync<TableView>("GetTable", room.RoomId)).Spectators);
        var again = await sam.InvokeAsync<TableView>("WatchRoom", room.RoomId); // idempotent: still one spectator
        Assert.Equal((watched.Seq, 1), (again.Seq, again.Spectators));
        var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var clients = new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        var end = await GameTests.PlayToEndAsync(clients, room.RoomId, started.Turn!);

        await sam.WaitForSeqAsync(room.RoomId, end.Seq);
        await alice.WaitForSeqAsync(room.RoomId, end.Seq); // the acknowledgment of the last move may come before its event
        Assert.Equal(GameTests.LongRange(watched.Seq + 1, end.Seq), sam.EventsOf(room.RoomId).Select(e => e.Seq));
        Assert.Equal(alice.EventsOf(room.RoomId).Where(e => e.Seq > watched.Seq).Select(e => (e.Kind, e.PlayerId, e.HandCount, e.Turn)),
            sam.EventsOf(room.RoomId).Select(e => (e.Kind, e.PlayerId, e.HandCount, e.Turn)));
        foreach (var raw in sam.RawEvents)
        {
            Assert.Equal(JsonValueKind.Null, raw.GetProperty("hand").ValueKind);
            if (raw.GetProperty("kind").GetString() == EventKinds.Took)
            {
                Assert.Equal(JsonValueKind.Null, raw.GetProperty("card").ValueKind);
            }
        }

        await sam.InvokeAsync("StopWatching", room.RoomId);
        // Playing the game spent alice's rate budget (20 calls a second): her next calls wait for it as a bot would.
        Assert.Equal(0, (await alice.InvokePatientlyAsync<TableView>("GetTable", room.RoomId)).Spectators);
        var rematch = await alice.InvokePatientlyAsync<TableView>("StartGame", room.RoomId);
        await alice.WaitForSeqAsync(room.RoomId, rematch.Seq);
        await bob.WaitForSeqAsync(room.RoomId, rematch.Seq);
        Assert.DoesNotContain(sam.EventsOf(room.RoomId), e => e.Seq > end.Seq);
    }

    [Fact]
    public async Task Spectators_on_both_transports_of_one_edge_each_get_every_public_event_once_in_order()
    {
        // The edge encodes a spectator's event once per transport and sends those bytes to every watcher on it.
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge1, "bob");
        var hubWatchers = new List<GameClient>();
        var socketWatchers = new List<SocketClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                hubWatchers.Add(await GameClient.SignInAsync(fixture.Edge2, $"hub watcher {i}"));
                socketWatchers.Add(await SocketClient.SignInAsync(fixture.Edge2, $"ws watcher {i}"));
            }

            var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("watched by six", 2));
            await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            var from = (await Task.WhenAll(hubWatchers.Select(w => w.InvokeAsync<TableView>("WatchRoom", room.RoomId))
                .Concat(socketWatchers.Select(w => w.CallAsync<TableView>("watch", new { room = room.RoomId }))))).Max(v => v.Seq);
            Assert.Equal(6, (await alice.InvokeAsync<TableView>("GetTable", room.RoomId)).Spectators);

            var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
            var end = await GameTests.PlayToEndAsync(new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob },
                room.RoomId, started.Turn!);
            await alice.WaitForSeqAsync(room.RoomId, end.Seq);
            var truth = alice.EventsOf(room.RoomId).Where(e => e.Seq > from).Select(e => (e.Seq, e.Kind, e.PlayerId, e.HandCount, e.Turn, e.Suit)).ToList();
            Assert.NotEmpty(truth);
            foreach (var watcher in hubWatchers)
            {
                await watcher.WaitForSeqAsync(room.RoomId, end.Seq);
                var seen = watcher.EventsOf(room.RoomId).Where(e => e.Seq > from).ToList();
                Assert.Equal(truth, seen.Select(e => (e.Seq, e.Kind, e.PlayerId, e.HandCount, e.Turn, e.Suit)));
                Assert.All(seen, e => Assert.Null(e.Hand));
                Assert.All(seen.Where(e => e.Kind == EventKinds.Took), e => Assert.Null(e.Card));
            }

            foreach (var watcher in socketWatchers)
            {
                await watcher.WaitForSeqAsync(room.RoomId, end.Seq, timeoutMs: 60_000);
                var seen = watcher.EventsOf(room.RoomId).Where(e => e.Seq > from).ToList();
                Assert.Equal(truth, seen.Select(e => (e.Seq, e.Kind, e.PlayerId, e.HandCount, e.Turn, e.Suit)));
                Assert.All(seen, e => Assert.Null(e.Hand));
                Assert.All(seen.Where(e => e.Kind == EventKinds.Took), e => Assert.Null(e.Card));
            }
        }
        finally
        {
            foreach (var watcher in hubWatchers)
            {
                await watcher.DisposeAsync();
            }

            foreach (var watcher in socketWatchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_connection_watches_at_most_4_rooms_and_a_flood_of_made_up_rooms_keeps_nothing()
    {
        await using var first = await GameClient.SignInAsync(fixture.Edge1, "first");
        await using var second = await GameClient.SignInAsync(fixture.Edge1, "second");
        await using var sam = await GameClient.SignInAsync(fixture.Edge2, "sam");
        var rooms = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            rooms.Add((await (i < 3 ? first : second).InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"watch {i}", 3))).RoomId);
        }

        // Made-up rooms are refused and take none of the connection's 4.
        foreach (var roomId in Enumerable.Range(0, 40).Select(i => $"madeup{i}x{Guid.NewGuid():N}"))
        {
            await sam.AssertFailsAsync(ErrorCodes.RoomNotFound, "WatchRoom", roomId);
            await Task.Delay(60); // under the connection's 20 invocations per second
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Null((await sam.InvokeAsync<TableView>("WatchRoom", rooms[i])).Hand);
        }

        await sam.AssertFailsAsync(ErrorCodes.LimitReached, "WatchRoom", rooms[4]);
        await sam.AssertFailsAsync(ErrorCodes.BadRequest, "WatchRoom", "not a room id!");
        await sam.InvokeAsync("StopWatching", rooms[0]);
        Assert.Equal(1, (await sam.InvokeAsync<TableView>("WatchRoom", rooms[4])).Spectators);

        // Another connection of the same player has its own 4.
        await using var samAgain = await GameClient.ConnectAsync(fixture.Edge1, sam.Token, sam.PlayerId);
        Assert.Equal(2, (await samAgain.InvokeAsync<TableView>("WatchRoom", rooms[4])).Spectators);
        await samAgain.DisposeAsync();
        await WaitForAsync(async () => (await first.InvokeAsync<TableView>("GetTable", rooms[4])).Spectators == 1);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
