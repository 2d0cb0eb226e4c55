using System.Text.Json;
using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class GameTests(EdgesFixture fixture)
{
    private static readonly HashSet<string> EventFields =
        ["roomId", "seq", "kind", "playerId", "card", "suit", "handCount", "turn", "winner", "auto", "connected", "hand", "name", "turnEndsAt", "deckCommitment", "deckSeed"];

    [Fact]
    public async Task Two_players_on_two_edges_play_a_full_game_and_each_sees_every_event_in_order_and_only_their_own_cards()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("duel", 2));
        var aliceJoined = await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var bobJoined = await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        Assert.Equal([alice.PlayerId, bob.PlayerId], bobJoined.Players.Select(p => p.PlayerId));

        var started = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        Assert.Equal(Phases.Playing, started.Phase);
        Assert.Equal(7, started.Hand!.Count);
        var bobStarted = await bob.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Started);
        var bobView = await bob.InvokeAsync<TableView>("GetTable", room.RoomId);
        // Bob's join reaches alice on the other edge in its own time: wait for it, then read the name it carries.
        Assert.Equal("bob", (await alice.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Joined && e.PlayerId == bob.PlayerId)).Name);
        Assert.NotNull(bobStarted.TurnEndsAt);
        Assert.Equal(bobStarted.TurnEndsAt, bobView.TurnEndsAt);
        Assert.InRange(bobView.TurnEndsAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(31));
        Assert.Equal(bobView.Hand!.Order(), bobStarted.Hand!.Order());
        Assert.Empty(started.Hand.Intersect(bobView.Hand!));

        var clients = new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob };
        var end = await PlayToEndAsync(clients, room.RoomId, started.Turn!);

        Assert.Equal(Phases.Finished, end.Phase);
        Assert.Contains(end.Winner, clients.Keys);
        foreach (var (client, joined) in new[] { (alice, aliceJoined), (bob, bobJoined) })
        {
            await client.WaitForSeqAsync(room.RoomId, end.Seq);
            var seqs = client.EventsOf(room.RoomId).Select(e => e.Seq).ToList();
            Assert.Equal(LongRange(joined.Seq, end.Seq), seqs);
            Assert.Equal(EventKinds.Finished, client.EventsOf(room.RoomId)[^1].Kind);
            AssertOnlyOwnCards(client);
        }
    }

    /// <summary>Plays legal moves, each chosen by the player to move from their own view, until the game ends.</summary>
    internal static async Task<TableView> PlayToEndAsync(IReadOnlyDictionary<string, GameClient> clients, string roomId, string firstTurn, int maxMoves = 3000)
    {
        var turn = firstTurn;
        for (var move = 0; move < maxMoves; move++)
        {
            var after = await PlayOneMoveAsync(clients[turn], roomId);
            if (after.Phase == Phases.Finished)
            {
                return after;
            }

            turn = after.Turn!;
        }

        throw new InvalidOperationException($"the game did not end within {maxMoves} moves");
    }

    internal static async Task<TableView> PlayOneMoveAsync(GameClient mover, string roomId)
    {
        var view = await mover.InvokePatientlyAsync<TableView>("GetTable", roomId);
        Assert.Equal(mover.PlayerId, view.Turn);
        Assert.Equal(view.Players.Single(p => p.PlayerId == mover.PlayerId).HandCount, view.Hand!.Count);
        var put = MoveChooser.ChoosePut(view);
        return put is { } chosen
            ? await mover.InvokePatientlyAsync<TableView>("PutCard", roomId, chosen.Card, chosen.Suit)
            : await mover.InvokePatientlyAsync<TableView>("TakeCard", roomId);
    }

    /// <summary>
    /// No event payload carries a field outside the contract, another player's taken card, a hand or a deck commitment
    /// outside <c>started</c>, or the deck's seed outside <c>finished</c>.
    /// </summary>
    internal static void AssertOnlyOwnCards(GameClient client)
    {
        foreach (var raw in client.RawEvents)
        {
            var fields = raw.EnumerateObject().Select(p => p.Name).ToList();
            Assert.All(fields, field => Assert.Contains(field, EventFields));
            var kind = raw.GetProperty("kind").GetString();
            var actor = raw.GetProperty("playerId").GetString();
            if (kind == EventKinds.Took && actor != client.PlayerId)
            {
                Assert.Equal(JsonValueKind.Null, raw.GetProperty("card").ValueKind);
            }

            if (kind != EventKinds.Started)
            {
                Assert.Equal(JsonValueKind.Null, raw.GetProperty("hand").ValueKind);
                Assert.Equal(JsonValueKind.Null, raw.GetProperty("deckCommitment").ValueKind);
            }

            // The seed is revealed once the game is over, never before.
            Assert.Equal(kind == EventKinds.Finished, raw.GetProperty("deckSeed").ValueKind == JsonValueKind.String);
        }
    }

    internal static List<long> LongRange(long first, long last) => [.. Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + i)];
}
