using CardGame.Contracts.Cards;
using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

/// <summary>Every game error code of the contract, through the hub, and that a rejected call changes nothing.</summary>
[Collection(EdgesCollection.Name)]
public sealed class TableErrorTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Room_errors_come_back_as_their_codes()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        await using var carol = await GameClient.SignInAsync(fixture.Edge1, "carol");
        var duel = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("duel", 2));
        var other = await carol.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("other", 3));

        await alice.AssertFailsAsync(ErrorCodes.RoomNotFound, "JoinRoom", "rnosuchroom9");
        await alice.AssertFailsAsync(ErrorCodes.RoomNotFound, "GetTable", "rnosuchroom9");
        await alice.AssertFailsAsync(ErrorCodes.NotSeated, "StartGame", duel.RoomId);
        await alice.AssertFailsAsync(ErrorCodes.NotSeated, "LeaveRoom", duel.RoomId);
        await alice.InvokeAsync<TableView>("JoinRoom", duel.RoomId);
        await alice.AssertFailsAsync(ErrorCodes.NotEnoughPlayers, "StartGame", duel.RoomId);
        await alice.AssertFailsAsync(ErrorCodes.GameNotStarted, "TakeCard", duel.RoomId);
        await alice.AssertFailsAsync(ErrorCodes.GameNotStarted, "PutCard", duel.RoomId, "QS", null);
        await alice.AssertFailsAsync(ErrorCodes.AlreadySeated, "JoinRoom", other.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", duel.RoomId);
        await carol.AssertFailsAsync(ErrorCodes.RoomFull, "JoinRoom", duel.RoomId);
        await alice.InvokeAsync<TableView>("StartGame", duel.RoomId);
        await alice.AssertFailsAsync(ErrorCodes.GameInProgress, "StartGame", duel.RoomId);
        await bob.InvokeAsync("LeaveRoom", duel.RoomId);
        await carol.InvokeAsync<TableView>("JoinRoom", other.RoomId);
        await using var dave = await GameClient.SignInAsync(fixture.Edge2, "dave");
        await dave.InvokeAsync<TableView>("JoinRoom", other.RoomId);
        await carol.InvokeAsync<TableView>("StartGame", other.RoomId);
        await using var erin = await GameClient.SignInAsync(fixture.Edge2, "erin");
        await erin.AssertFailsAsync(ErrorCodes.GameInProgress, "JoinRoom", other.RoomId);
    }

    [Fact]
    public async Task Joining_the_room_one_sits_at_again_returns_the_table()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("again", 3));
        var first = await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        var second = await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        Assert.Equal(first.Seq, second.Seq);
        Assert.Single(second.Players);
    }

    [Fact]
    public async Task Rejected_moves_come_back_as_their_codes_and_change_nothing()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("errors", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var clients = new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        var produced = new HashSet<string>();
        var turn = started.Turn!;

        for (var move = 0; move < 400 && produced.Count < 4; move++)
        {
            var mover = clients[turn];
            var waiting = clients.Values.Single(c => c != mover);
            var before = await mover.InvokePatientlyAsync<TableView>("GetTable", room.RoomId);
            if (before.Phase == Phases.Finished)
            {
                before = await mover.InvokePatientlyAsync<TableView>("StartGame", room.RoomId);
                turn = before.Turn!;
                continue;
            }

            await RejectedAsync(ErrorCodes.NotYourTurn, waiting, before, "TakeCard", room.RoomId);
            var notInHand = AllCards().First(c => !before.Hand!.Contains(c));
            await RejectedAsync(ErrorCodes.CardNotInHand, mover, before, "PutCard", room.RoomId, notInHand, null);
            if (before.Hand!.FirstOrDefault(c => MoveChooser.IsEight(c)) is { } eight)
            {
                await RejectedAsync(ErrorCodes.SuitRequired, mover, before, "PutCard", room.RoomId, eight, null);
                produced.Add(ErrorCodes.SuitRequired);
            }

            if (MoveChooser.ChooseIllegal(before) is { } illegal)
            {
                await RejectedAsync(ErrorCodes.IllegalCard, mover, before, "PutCard", room.RoomId, illegal, null);
                produced.Add(ErrorCodes.IllegalCard);
            }

            produced.Add(ErrorCodes.NotYourTurn);
            produced.Add(ErrorCodes.CardNotInHand);
            var after = await GameTests.PlayOneMoveAsync(mover, room.RoomId);
            turn = after.Phase == Phases.Finished ? (await mover.InvokePatientlyAsync<TableView>("StartGame", room.RoomId)).Turn! : after.Turn!;
        }

        Assert.Equal([ErrorCodes.CardNotInHand, ErrorCodes.IllegalCard, ErrorCodes.NotYourTurn, ErrorCodes.SuitRequired], produced.Order());
    }

    public static TheoryData<string, object?[]> MalformedCalls => new()
    {
        { "JoinRoom", [] },
        { "JoinRoom", [42] },
        { "JoinRoom", [new { roomId = "r1" }] },
        { "JoinRoom", ["r1", "extra"] },
        { "PutCard", ["r1"] },
        { "CreateRoom", ["not an object"] },
        { "ListRooms", ["unexpected"] },
        { "NoSuchMethod", [] },
        { "JoinRoom", [null] },
        { "JoinRoom", [""] },
        { "GetTable", ["has spaces and !"] },
        { "CreateRoom", [null] },
        { "CreateRoom", [new CreateRoomRequest("", 4)] },
        { "CreateRoom", [new CreateRoomRequest(new string('x', 41), 4)] },
        { "CreateRoom", [new CreateRoomRequest("evil\u202Emoor", 4)] },
        { "CreateRoom", [new CreateRoomRequest("zero\u200Bwidth", 4)] },
        { "CreateRoom", [new CreateRoomRequest("too many seats", 7)] },
        { "CreateRoom", [new CreateRoomRequest("too few seats", 1)] },
    };

    [Theory]
    [MemberData(nameof(MalformedCalls))]
    public async Task Malformed_or_missing_arguments_fail_with_bad_request(string method, object?[] args)
    {
        await using var client = await GameClient.SignInAsync(fixture.Edge1, "sloppy");

        var message = await client.AssertFailsAsync(ErrorCodes.BadRequest, method, args);

        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_cards_suits_and_move_ids_fail_with_bad_request_and_change_nothing()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("cards", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var mover = started.Turn == alice.PlayerId ? alice : bob;
        var view = await mover.InvokeAsync<TableView>("GetTable", room.RoomId);

        await RejectedAsync(ErrorCodes.BadRequest, mover, view, "PutCard", room.RoomId, "ZZ", null);
        await RejectedAsync(ErrorCodes.BadRequest, mover, view, "PutCard", room.RoomId, null, null);
        await RejectedAsync(ErrorCodes.BadRequest, mover, view, "PutCard", room.RoomId, view.Hand![0], "X");
        // The table checks move ids, whichever way a move reaches it.
        foreach (var moveId in new[] { new string('m', 65), "", "tab\tinside" })
        {
            await RejectedAsync(ErrorCodes.BadRequest, mover, view, "TakeCard", room.RoomId, moveId);
            await RejectedAsync(ErrorCodes.BadRequest, mover, view, "PutCard", room.RoomId, view.Hand![0], null, moveId);
        }
    }

    [Fact]
    public async Task A_malformed_card_is_bad_request_whatever_the_table_state()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("malformed", 2));
        await alice.AssertFailsAsync(ErrorCodes.BadRequest, "PutCard", room.RoomId, "ZZ", null);
        await alice.AssertFailsAsync(ErrorCodes.BadRequest, "PutCard", "rnosuchroom9", "ZZ", null);
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await alice.AssertFailsAsync(ErrorCodes.BadRequest, "PutCard", room.RoomId, "ZZ", null);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var waiting = started.Turn == alice.PlayerId ? bob : alice;
        await waiting.AssertFailsAsync(ErrorCodes.BadRequest, "PutCard", room.RoomId, "ZZ", null);
        await waiting.AssertFailsAsync(ErrorCodes.BadRequest, "PutCard", room.RoomId, "10h", null);

        var clients = new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        var finished = await GameTests.PlayToEndAsync(clients, room.RoomId, started.Turn!);
        Assert.Equal(Phases.Finished, finished.Phase);

        // Playing the game spent the connections' rate budget: let it refill before the calls that must fail as they should.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await RejectedAsync(ErrorCodes.BadRequest, alice, await alice.InvokePatientlyAsync<TableView>("GetTable", room.RoomId), "PutCard", room.RoomId, "ZZ", null);
        await alice.AssertFailsAsync(ErrorCodes.GameNotStarted, "PutCard", room.RoomId, "QS", null);
    }

    /// <summary>The call fails with <paramref name="code"/>; the table's seq and the caller's hand are as before, and no event went out.</summary>
    private static async Task RejectedAsync(string code, GameClient caller, TableView before, string method, params object?[] args)
    {
        await caller.WaitForSeqAsync(before.RoomId, before.Seq);
        var eventsBefore = caller.Events.Count;
        // The loop sends more calls a second than one connection may (20, bursts of 40): a rate_limited refusal is waited out.
        await caller.AssertFailsPatientlyAsync(code, method, args);
        var after = await caller.InvokePatientlyAsync<TableView>("GetTable", before.RoomId);
        Assert.Equal(before.Seq, after.Seq);
        if (after.Turn == caller.PlayerId || before.Turn == caller.PlayerId)
        {
            Assert.Equal(before.Hand, after.Hand);
            Assert.Equal(before.TopCard, after.TopCard);
        }

        await Task.Delay(50);
        Assert.Equal(eventsBefore, caller.Events.Count);
    }

    private static IEnumerable<string> AllCards() => Card.FullDeck.Select(card => card.ToString());
}
