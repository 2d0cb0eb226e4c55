using System.Net.WebSockets;
using System.Text.Json.Nodes;
using CardGame.Contracts.Cards;
using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

/// <summary>
/// The plain WebSocket endpoint <c>/ws</c> through a raw <see cref="ClientWebSocket"/> (no SignalR): every message,
/// every error code, malformed frames, the limits and checks the hub has, and tables shared with hub players.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class SocketTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Auth_answers_with_the_welcome_then_the_room_list_and_replies_echo_their_id()
    {
        var guest = await fixture.Edge1.SignInAsync("sock");
        await using var client = await SocketClient.ConnectAsync(fixture.Edge1);

        await client.SendTextAsync($$"""{"msg": "auth", "id": 7, "token": "{{guest.Token}}"}""");
        var welcome = await client.NextUnsolicitedAsync();
        var rooms = await client.NextUnsolicitedAsync();
        var listed = await client.RequestAsync("room_list");

        Assert.Equal("auth", (string?)welcome["msg"]);
        Assert.Equal(7, (int)welcome["id"]!);
        Assert.Equal(guest.PlayerId, (string?)welcome["result"]!["playerId"]);
        Assert.Null((string?)welcome["result"]!["roomId"]);
        Assert.Equal("room_list", (string?)rooms["msg"]);
        Assert.False(rooms.ContainsKey("id"));
        Assert.IsType<JsonArray>(rooms["rooms"]);
        Assert.Equal("room_list", (string?)listed["msg"]);
        Assert.Equal(listed["result"]!.ToJsonString(), listed["rooms"]!.ToJsonString());
    }

    [Fact]
    public async Task Two_socket_players_on_two_edges_play_a_game_to_the_end_with_every_message()
    {
        await using var alice = await SocketClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await SocketClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.CallAsync<RoomInfo>("create_room", new { name = "ws duel", seats = 2 });
        Assert.Contains(await alice.CallAsync<List<RoomInfo>>("room_list"), r => r.RoomId == room.RoomId);
        var joined = await alice.CallAsync<TableView>("join_room", new { room = room.RoomId });
        await bob.CallAsync<TableView>("join_room", new { room = room.RoomId });
        var started = await bob.CallAsync<TableView>("start", new { room = room.RoomId });
        Assert.Equal(7, started.Hand!.Count);

        var players = new Dictionary<string, SocketClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        var end = await PlayToEndAsync(players, room.RoomId, started.Turn!);

        Assert.Equal(Phases.Finished, end.Phase);
        foreach (var client in players.Values)
        {
            await client.WaitForSeqAsync(room.RoomId, end.Seq);
            var seqs = client.EventsOf(room.RoomId).Select(e => e.Seq).ToList();
            Assert.Equal(GameTests.LongRange(seqs[0], end.Seq), seqs);
            Assert.Equal(EventKinds.Finished, client.EventsOf(room.RoomId)[^1].Kind);
            Assert.All(client.EventsOf(room.RoomId).Where(e => e.Kind == EventKinds.Took && e.PlayerId != client.PlayerId), e => Assert.Null(e.Card));
        }

        var resumed = await alice.CallAsync<Resumed>("resume", new { room = room.RoomId, seq = joined.Seq });
        Assert.Equal(GameTests.LongRange(joined.Seq + 1, end.Seq), resumed.Events!.Select(e => e.Seq).ToList());
        Assert.Equal(end.Seq, (await bob.CallAsync<TableView>("table", new { room = room.RoomId })).Seq);
        var left = await alice.RequestPatientlyAsync("leave", new { room = room.RoomId });
        Assert.Equal("leave", (string?)left["msg"]);
        Assert.True(left.ContainsKey("result"));
        Assert.Null(left["result"]);
        await bob.WaitForSeqAsync(room.RoomId, end.Seq + 1);
        Assert.Equal(EventKinds.Left, bob.EventsOf(room.RoomId)[^1].Kind);
    }

    [Fact]
    public async Task A_hub_player_and_a_socket_player_on_different_edges_share_a_table_and_see_every_event_in_order()
    {
        await using var hub = await GameClient.SignInAsync(fixture.Edge1, "hubert");
        await using var socket = await SocketClient.SignInAsync(fixture.Edge2, "sockrates");
        var room = await hub.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("mixed", 2));
        await hub.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await socket.CallAsync<TableView>("join_room", new { room = room.RoomId });
        var started = await socket.CallAsync<TableView>("start", new { room = room.RoomId });

        var turn = started.Turn!;
        TableView after;
        for (var move = 0; ; move++)
        {
            Assert.True(move < 3000, "the game did not end");
            after = turn == hub.PlayerId
                ? await GameTests.PlayOneMoveAsync(hub, room.RoomId)
                : await PlayOneMoveAsync(socket, room.RoomId, move);
            if (after.Phase == Phases.Finished)
            {
                break;
            }

            turn = after.Turn!;
        }

        await hub.WaitForSeqAsync(room.RoomId, after.Seq);
        await socket.WaitForSeqAsync(room.RoomId, after.Seq);
        var hubEvents = hub.EventsOf(room.RoomId);
        var socketEvents = socket.EventsOf(room.RoomId);
        Assert.Equal(GameTests.LongRange(1, after.Seq), hubEvents.Select(e => e.Seq).ToList());
        Assert.Equal(GameTests.LongRange(2, after.Seq), socketEvents.Select(e => e.Seq).ToList());
        // Both saw the same events, each with only their own cards.
        Assert.Equal(hubEvents.Skip(1).Select(e => (e.Seq, e.Kind, e.PlayerId, e.Turn, e.HandCount)), socketEvents.Select(e => (e.Seq, e.Kind, e.PlayerId, e.Turn, e.HandCount)));
        Assert.All(socketEvents.Where(e => e.Kind == EventKinds.Took && e.PlayerId != socket.PlayerId), e => Assert.Null(e.Card));
        Assert.All(socketEvents.Where(e => e.Kind == EventKinds.Took && e.PlayerId == socket.PlayerId && e.Card is null), e => Assert.Equal(0, e.HandCount));
        GameTests.AssertOnlyOwnCards(hub);
    }

    [Fact]
    public async Task Quick_play_watching_and_the_lobby_work_over_ws()
    {
        await using var watcher = await SocketClient.SignInAsync(fixture.Edge1, "watcher");
        await using var player = await SocketClient.SignInAsync(fixture.Edge2, "quick");
        Assert.NotNull(await watcher.CallAsync<List<RoomInfo>>("watch_lobby"));

        var view = await player.CallAsync<TableView>("quick_play", new { seats = 6 });
        Assert.Contains(view.Players, p => p.PlayerId == player.PlayerId);
        var lobby = await watcher.NextUnsolicitedAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("lobby", (string?)lobby["msg"]);
        Assert.NotNull(lobby["event"]!["room"]);

        var watched = await watcher.CallAsync<TableView>("watch", new { room = view.RoomId });
        Assert.Equal(view.RoomId, watched.RoomId);
        Assert.Null(watched.Hand);
        var unwatched = await watcher.RequestAsync("unwatch", new { room = view.RoomId });
        Assert.Equal("unwatch", (string?)unwatched["msg"]);
        Assert.Null(unwatched["result"]);
        Assert.Equal("unwatch_lobby", (string?)(await watcher.RequestAsync("unwatch_lobby"))["msg"]);
        Assert.Equal("leave", (string?)(await player.RequestPatientlyAsync("leave", new { room = view.RoomId }))["msg"]);
    }

    [Fact]
    public async Task Every_error_code_comes_back_as_an_error_frame_with_the_id()
    {
        await using var anonymous = await SocketClient.ConnectAsync(fixture.Edge1);
        await anonymous.AssertFailsAsync(ErrorCodes.AuthRequired, "room_list");
        await anonymous.AssertFailsAsync(ErrorCodes.AuthRequired, "join_room", new { room = 5 });
        await anonymous.AssertFailsAsync(ErrorCodes.AuthRequired, "no_such_message");
        await anonymous.AssertFailsAsync(ErrorCodes.InvalidToken, "auth", new { token = "not a token" });
        await anonymous.AssertFailsAsync(ErrorCodes.InvalidToken, "auth");
        await anonymous.AssertFailsAsync(ErrorCodes.TokenExpired, "auth", new { token = TestTokens.Create(TestTokens.NewPlayerId(), expires: DateTime.UtcNow.AddMinutes(-1)) });

        await using var alice = await SocketClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await SocketClient.SignInAsync(fixture.Edge2, "bob");
        await using var carol = await SocketClient.SignInAsync(fixture.Edge1, "carol");
        var duel = await alice.CallAsync<RoomInfo>("create_room", new { name = "duel", seats = 2 });
        var other = await carol.CallAsync<RoomInfo>("create_room", new { name = "other", seats = 3 });
        await alice.AssertFailsAsync(ErrorCodes.RoomNotFound, "join_room", new { room = "rnosuchroom9" });
        await alice.AssertFailsAsync(ErrorCodes.NotSeated, "start", new { room = duel.RoomId });
        await alice.CallAsync<TableView>("join_room", new { room = duel.RoomId });
        await alice.AssertFailsAsync(ErrorCodes.NotEnoughPlayers, "start", new { room = duel.RoomId });
        await alice.AssertFailsAsync(ErrorCodes.GameNotStarted, "take", new { room = duel.RoomId });
        await alice.AssertFailsAsync(ErrorCodes.AlreadySeated, "join_room", new { room = other.RoomId });
        await bob.CallAsync<TableView>("join_room", new { room = duel.RoomId });
        await carol.AssertFailsAsync(ErrorCodes.RoomFull, "join_room", new { room = duel.RoomId });
        var started = await alice.CallAsync<TableView>("start", new { room = duel.RoomId });
        await alice.AssertFailsAsync(ErrorCodes.GameInProgress, "start", new { room = duel.RoomId });
        await carol.AssertFailsAsync(ErrorCodes.BadRequest, "put", new { room = duel.RoomId, card = "ZZ" });

        var players = new Dictionary<string, SocketClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        var produced = new HashSet<string>();
        var turn = started.Turn!;
        for (var move = 0; move < 400 && produced.Count < 4; move++)
        {
            var mover = players[turn];
            var waiting = players.Values.Single(c => c != mover);
            var view = await mover.CallAsync<TableView>("table", new { room = duel.RoomId });
            if (view.Phase == Phases.Finished)
            {
                turn = (await mover.CallAsync<TableView>("start", new { room = duel.RoomId })).Turn!;
                continue;
            }

            await waiting.AssertFailsAsync(ErrorCodes.NotYourTurn, "take", new { room = duel.RoomId });
            var notInHand = Card.FullDeck.Select(c => c.ToString()).First(c => !view.Hand!.Contains(c));
            await mover.AssertFailsAsync(ErrorCodes.CardNotInHand, "put", new { room = duel.RoomId, card = notInHand });
            produced.Add(ErrorCodes.NotYourTurn);
            produced.Add(ErrorCodes.CardNotInHand);
            if (view.Hand!.FirstOrDefault(MoveChooser.IsEight) is { } eight)
            {
                await mover.AssertFailsAsync(ErrorCodes.SuitRequired, "put", new { room = duel.RoomId, card = eight });
                produced.Add(ErrorCodes.SuitRequired);
            }

            if (MoveChooser.ChooseIllegal(view) is { } illegal)
            {
                await mover.AssertFailsAsync(ErrorCodes.IllegalCard, "put", new { room = duel.RoomId, card = illegal });
                produced.Add(ErrorCodes.IllegalCard);
            }

            var after = await PlayOneMoveAsync(mover, duel.RoomId, move);
            turn = after.Phase == Phases.Finished ? (await mover.CallAsync<TableView>("start", new { room = duel.RoomId })).Turn! : after.Turn!;
        }

        Assert.Equal([ErrorCodes.CardNotInHand, ErrorCodes.IllegalCard, ErrorCodes.NotYourTurn, ErrorCodes.SuitRequired], produced.Order());

        await using var dave = await SocketClient.SignInAsync(fixture.Edge2, "dave");
        for (var i = 0; i < 3; i++)
        {
            await dave.CallAsync<RoomInfo>("create_room", new { name = $"empty {i}", seats = 2 });
        }

        await dave.AssertFailsAsync(ErrorCodes.LimitReached, "create_room", new { name = "one too many", seats = 2 });
    }

    public static TheoryData<string> MalformedFrames => new()
    {
        "not json",
        "{\"msg\": \"room_list\"",
        "[\"room_list\"]",
        "\"room_list\"",
        "42",
        "{}",
        "{\"id\": \"x1\"}",
        "{\"msg\": 7}",
        "{\"msg\": null}",
        "{\"msg\": \"room_list\", \"id\": {\"nested\": true}}",
        "{\"msg\": \"no_such_message\"}",
        "{\"msg\": \"join_room\"}",
        "{\"msg\": \"join_room\", \"room\": 5}",
        "{\"msg\": \"join_room\", \"room\": [\"r1\"]}",
        "{\"msg\": \"create_room\", \"name\": \"n\", \"seats\": \"four\"}",
        "{\"msg\": \"create_room\", \"name\": 12, \"seats\": 4}",
        "{\"msg\": \"create_room\", \"name\": \"n\", \"seats\": 2.5}",
        "{\"msg\": \"resume\", \"room\": \"r1\"}",
        "{\"msg\": \"resume\", \"room\": \"r1\", \"seq\": \"3\"}",
        "{\"msg\": \"put\", \"room\": \"r1\", \"card\": 10}",
        "{\"msg\": \"put\", \"room\": \"r1\", \"card\": \"ZZ\"}",
        "{\"msg\": \"take\", \"room\": \"r1\", \"moveId\": false}",
        "{\"msg\": \"auth\", \"token\": 123}",
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task A_malformed_frame_gets_bad_request_and_the_connection_stays_open(string frame)
    {
        await using var client = await SocketClient.SignInAsync(fixture.Edge1, "sloppy");

        await client.SendTextAsync(frame);
        var reply = await client.NextUnsolicitedAsync();

        Assert.Equal("error", (string?)reply["msg"]);
        Assert.Equal(ErrorCodes.BadRequest, (string?)reply["code"]);
        Assert.DoesNotContain("Exception", (string?)reply["text"], StringComparison.Ordinal);
        Assert.NotNull(await client.CallAsync<List<RoomInfo>>("room_list"));
    }

    [Fact]
    public async Task A_binary_frame_closes_the_connection()
    {
        await using var client = await SocketClient.SignInAsync(fixture.Edge1, "binary");

        await client.SendBinaryAsync([1, 2, 3]);
        var (status, _) = await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, status);
    }

    [Fact]
    public async Task A_frame_over_32_KiB_closes_the_connection_and_one_just_under_does_not()
    {
        await using var client = await SocketClient.SignInAsync(fixture.Edge1, "bulky");
        var padding = new string('x', 32 * 1024 - 100);

        var under = await client.RequestAsync("create_room", new { name = padding, seats = 4 });
        Assert.Equal(ErrorCodes.BadRequest, (string?)under["code"]);
        await client.SendTextAsync($$"""{"msg": "create_room", "name": "{{padding}}{{new string('y', 200)}}", "seats": 4}""");
        var (status, _) = await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
    }

    [Fact]
    public async Task A_burst_beyond_the_rate_limit_fails_with_rate_limited()
    {
        await using var client = await SocketClient.SignInAsync(fixture.Edge2, "hasty");

        var replies = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ => client.RequestAsync("room_list")));

        var limited = replies.Count(r => (string?)r["code"] == ErrorCodes.RateLimited);
        // The bucket holds 40; auth took one of them.
        Assert.InRange(limited, 1, 120 - 39);
        Assert.Equal(120, limited + replies.Count(r => (string?)r["msg"] == "room_list"));
    }

    [Fact]
    public async Task Origins_are_checked_as_for_the_hub()
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => SocketClient.ConnectAsync(fixture.Edge1, "http://evil.example"));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        await using var listed = await SocketClient.ConnectAsync(fixture.Edge1, EdgesFixture.AllowedOrigin);
        await using var same = await SocketClient.ConnectAsync(fixture.Edge1, fixture.Edge1.Address.GetLeftPart(UriPartial.Authority));
        await listed.AssertFailsAsync(ErrorCodes.AuthRequired, "room_list");
        await same.AssertFailsAsync(ErrorCodes.AuthRequired, "room_list");
    }

    [Fact]
    public async Task A_connection_whose_token_expires_gets_token_expired_and_is_closed()
    {
        var playerId = TestTokens.NewPlayerId();
        // A token of 3 s (the edges accept no clock skew), twice as long again while the machine stopped for longer
        // than it lived before its auth was answered (then token_expired was the right answer to the auth itself).
        var lifetime = TimeSpan.FromSeconds(3);
        SocketClient client;
        while (true)
        {
            var token = TestTokens.Create(playerId, expires: DateTime.UtcNow + lifetime);
            var expires = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).ValidTo;
            client = await SocketClient.ConnectAsync(fixture.Edge1);
            var reply = await client.RequestAsync("auth", new { token });
            if ((string?)reply["code"] == ErrorCodes.TokenExpired && DateTime.UtcNow >= expires && lifetime < TimeSpan.FromSeconds(24))
            {
                await client.DisposeAsync();
                lifetime *= 2;
                continue;
            }

            Assert.True((string?)reply["msg"] == "auth", $"auth failed: {reply.ToJsonString()}");
            break;
        }

        await using (client)
        {
            // The room list the edge sends after auth comes before the expiry's error unless the token expired first.
            var error = await client.NextUnsolicitedAsync(lifetime + TimeSpan.FromSeconds(15));
            if ((string?)error["msg"] == "room_list")
            {
                error = await client.NextUnsolicitedAsync(lifetime + TimeSpan.FromSeconds(15));
            }
            var (status, description) = await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal("error", (string?)error["msg"]);
            Assert.Equal(ErrorCodes.TokenExpired, (string?)error["code"]);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
            Assert.Equal(ErrorCodes.TokenExpired, description);
        }
    }

    [Fact]
    public async Task A_player_who_reconnects_through_the_other_edge_resumes_where_they_were()
    {
        var guest = await fixture.Edge1.SignInAsync("returner");
        await using var bob = await SocketClient.SignInAsync(fixture.Edge2, "bob");
        var room = await bob.CallAsync<RoomInfo>("create_room", new { name = "come back", seats = 2 });
        await bob.CallAsync<TableView>("join_room", new { room = room.RoomId });
        long lastSeen;
        await using (var first = await SocketClient.ConnectAsync(fixture.Edge1))
        {
            await first.CallAsync<Welcome>("auth", new { token = guest.Token });
            lastSeen = (await first.CallAsync<TableView>("join_room", new { room = room.RoomId })).Seq;
        }

        var started = await bob.CallAsync<TableView>("start", new { room = room.RoomId });
        if (started.Turn == bob.PlayerId)
        {
            await PlayOneMoveAsync(bob, room.RoomId, 0);
        }

        await using var again = await SocketClient.ConnectAsync(fixture.Edge2);
        var welcome = await again.CallAsync<Welcome>("auth", new { token = guest.Token });
        var resumed = await again.CallAsync<Resumed>("resume", new { room = room.RoomId, seq = lastSeen });
        var current = await again.CallAsync<TableView>("table", new { room = room.RoomId });

        Assert.Equal(room.RoomId, welcome.RoomId);
        Assert.Equal(GameTests.LongRange(lastSeen + 1, current.Seq), resumed.Events!.Select(e => e.Seq).ToList());
        Assert.Equal(7, resumed.Events!.Single(e => e.Kind == EventKinds.Started).Hand!.Count);
        Assert.Equal(again.PlayerId, current.Turn);
        var moved = await PlayOneMoveAsync(again, room.RoomId, 1);
        await bob.WaitForSeqAsync(room.RoomId, moved.Seq);
    }

    /// <summary>Plays legal moves over <c>/ws</c>, each chosen by the player to move from their own view, until the game ends.</summary>
    private static async Task<TableView> PlayToEndAsync(IReadOnlyDictionary<string, SocketClient> players, string roomId, string firstTurn)
    {
        var turn = firstTurn;
        for (var move = 0; move < 3000; move++)
        {
            var after = await PlayOneMoveAsync(players[turn], roomId, move);
            if (after.Phase == Phases.Finished)
            {
                return after;
            }

            turn = after.Turn!;
        }

        throw new InvalidOperationException("the game did not end within 3000 moves");
    }

    /// <summary>One legal move of the player to move; every other move carries a move id.</summary>
    private static async Task<TableView> PlayOneMoveAsync(SocketClient mover, string roomId, int move)
    {
        var view = await mover.CallAsync<TableView>("table", new { room = roomId });
        Assert.Equal(mover.PlayerId, view.Turn);
        var moveId = move % 2 == 0 ? $"m{move}-{Guid.NewGuid():N}" : null;
        return MoveChooser.ChoosePut(view) is { } put
            ? await mover.CallAsync<TableView>("put", new { room = roomId, card = put.Card, suit = put.Suit, moveId })
            : await mover.CallAsync<TableView>("take", new { room = roomId, moveId });
    }
}
