using CardGame.Contracts.Grains;
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

    /// <summary>One silo: where the calls go does not matter here.</summary>
    public sealed class Fixture : ClusterFixture
    {
        protected override short InitialSilos => 1;
    }
}
