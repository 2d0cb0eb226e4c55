using CardGame.Contracts.Grains;
using CardGame.Edge.Delivery;
using CardGame.Edge.Tests.Infrastructure;
using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

/// <summary>
/// Reads that are safe to repeat are sent again when their answer does not come (<c>Edge:HedgeAfterMilliseconds</c>),
/// as moves, views and resumes are: while a silo stops, Orleans can drop the answer to a call an edge sent through that
/// silo's gateway, and the call would otherwise wait for <c>Orleans:ResponseTimeoutSeconds</c> (10 s) and fail with
/// <c>unavailable</c>. Here the edge's client holds the first answer back until the end of the test (<see cref="HeldAnswers"/>),
/// so only a repeat can answer.
/// </summary>
public sealed class HedgedReadsTests(HedgedReadsTests.Fixture fixture) : IClassFixture<HedgedReadsTests.Fixture>, IAsyncLifetime
{
    /// <summary>Far above the edge's repeat delay (1 s), and above Orleans' response timeout (10 s), after which the held call fails.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EdgeServer _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeConfiguration)
    {
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        ["Edge:MaxConnectionsPerAddress"] = "1000000",
        ["Edge:GuestSignInsPerMinute"] = "1000000",
        ["Edge:GuestSignInBurst"] = "1000000",
        // Every call through the edge's main client, where the fault is installed (not through its clients per silo).
        ["Edge:RouteTableCalls"] = "false",
    }, services: s => s.AddSingleton<IOutgoingGrainCallFilter, HeldAnswers>());

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _edge.DisposeAsync();
    }

    [Fact]
    public async Task The_room_list_whose_answer_is_held_back_is_answered_by_the_repeat()
    {
        await using var client = await GameClient.SignInAsync(_edge, "lister");
        var room = await client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("held list", 2));
        var list = fixture.Grains.GetGrain<IRoomListGrain>(0).GetGrainId();

        HeldAnswers.HoldNextAnswer(list, "List", _release.Task);
        var rooms = await client.InvokeAsync<List<RoomInfo>>("ListRooms").WaitAsync(Patience);
        Assert.False(_release.Task.IsCompleted);
        Assert.Contains(rooms, r => r.RoomId == room.RoomId);

        HeldAnswers.HoldNextAnswer(list, "ListFresh", _release.Task);
        rooms = await client.InvokeAsync<List<RoomInfo>>("WatchLobby").WaitAsync(Patience);
        Assert.Contains(rooms, r => r.RoomId == room.RoomId);
    }

    [Fact]
    public async Task Watching_a_room_whose_view_is_held_back_is_answered_by_the_repeat()
    {
        await using var alice = await GameClient.SignInAsync(_edge, "alice");
        await using var sam = await GameClient.SignInAsync(_edge, "sam");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("held view", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);

        HeldAnswers.HoldNextAnswer(fixture.Grains.GetGrain<ITableGrain>(room.RoomId).GetGrainId(), "GetView", _release.Task);
        var watched = await sam.InvokeAsync<TableView>("WatchRoom", room.RoomId).WaitAsync(Patience);

        Assert.False(_release.Task.IsCompleted);
        Assert.Equal(room.RoomId, watched.RoomId);
        Assert.Null(watched.Hand);
    }

    [Fact]
    public async Task Quick_play_whose_view_is_held_back_is_answered_by_the_repeat()
    {
        await using var alice = await GameClient.SignInAsync(_edge, "quick alice");
        await using var bob = await GameClient.SignInAsync(_edge, "quick bob");
        // 5 seats: no other room of these tests has as many, so Bob is offered Alice's.
        var first = await alice.InvokeAsync<TableView>("QuickPlay", new QuickPlayRequest(5));

        HeldAnswers.HoldNextAnswer(fixture.Grains.GetGrain<ITableGrain>(first.RoomId).GetGrainId(), "GetView", _release.Task);
        var second = await bob.InvokeAsync<TableView>("QuickPlay", new QuickPlayRequest(5)).WaitAsync(Patience);

        Assert.False(_release.Task.IsCompleted);
        Assert.Equal(first.RoomId, second.RoomId);
        Assert.Equal(2, second.Players.Count);
    }

    [Fact]
    public async Task A_move_brings_its_events_to_its_own_edge_with_the_answer_and_not_through_the_edges_observer()
    {
        await using var alice = await GameClient.SignInAsync(_edge, "answered alice");
        await using var bob = await GameClient.SignInAsync(_edge, "answered bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("answered move", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var dealt = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var mover = dealt.Turn == alice.PlayerId ? alice : bob;
        var other = mover == alice ? bob : alice;
        await other.WaitForSeqAsync(room.RoomId, dealt.Seq);
        var fanOut = _edge.Services.GetRequiredService<TableEventFanOut>();
        var (answered, observed) = (fanOut.AnsweredBatches, fanOut.ObservedBatches);

        var taken = await mover.InvokeAsync<TableView>("TakeCard", room.RoomId, Guid.NewGuid().ToString("N"));
        await other.WaitForSeqAsync(room.RoomId, taken.Seq);

        Assert.Equal(answered + 1, fanOut.AnsweredBatches);
        Assert.Equal(observed, fanOut.ObservedBatches);
        Assert.Equal(taken.Seq, (await mover.WaitForSeqAsync(room.RoomId, taken.Seq)).Seq);
    }

    [Fact]
    public async Task A_move_whose_answer_with_its_events_is_held_back_still_reaches_the_other_seat_on_the_edge_and_once()
    {
        // The edge takes its own moves' events with the answer (ITableGrain.EventsWithAnswer), so the table sends them to
        // no observer of this edge: when that answer is lost and a repeat answers the mover, the edge fetches them.
        await using var alice = await GameClient.SignInAsync(_edge, "held mover alice");
        await using var bob = await GameClient.SignInAsync(_edge, "held mover bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("held move", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var dealt = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var mover = dealt.Turn == alice.PlayerId ? alice : bob;
        var other = mover == alice ? bob : alice;
        await other.WaitForSeqAsync(room.RoomId, dealt.Seq);

        HeldAnswers.HoldNextAnswer(fixture.Grains.GetGrain<ITableGrain>(room.RoomId).GetGrainId(), "Take", _release.Task);
        var taken = await mover.InvokeAsync<TableView>("TakeCard", room.RoomId, Guid.NewGuid().ToString("N")).WaitAsync(Patience);
        // Well before Orleans' response timeout (10 s), after which the held attempt would fail and fetch them anyway.
        await other.WaitForSeqAsync(room.RoomId, taken.Seq, TimeSpan.FromSeconds(5));
        await mover.WaitForSeqAsync(room.RoomId, taken.Seq, TimeSpan.FromSeconds(5));

        Assert.False(_release.Task.IsCompleted);
        foreach (var client in new[] { mover, other })
        {
            var seqs = client.EventsOf(room.RoomId).Select(e => e.Seq).Where(s => s > dealt.Seq).ToList();
            Assert.Equal(Enumerable.Range(0, seqs.Count).Select(i => dealt.Seq + 1 + i), seqs);
        }
    }

    /// <summary>One silo: where the calls go does not matter here.</summary>
    public sealed class Fixture : ClusterFixture
    {
        protected override short InitialSilos => 1;
    }
}
