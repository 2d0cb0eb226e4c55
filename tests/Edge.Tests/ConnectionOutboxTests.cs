using System.Net;
using CardGame.Edge.Application;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Tests;

/// <summary>
/// One connection's queue of events, with a client whose sends the test holds back (a slow client, on purpose): events
/// go out one at a time in order, lobby changes wait coalesced per room, and a client too far behind is closed.
/// </summary>
public sealed class ConnectionOutboxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Events_go_out_one_at_a_time_in_order_and_again_after_the_outbox_went_idle()
    {
        var client = new HeldBackClient { Hold = true };
        var outbox = new ConnectionOutbox(client, capacity: 100, NullLogger.Instance);

        for (var seq = 1; seq <= 5; seq++)
        {
            outbox.Post(Event(seq));
        }

        // The next event waits until the client has taken the one before it.
        await client.WaitForSendsAsync(1);
        Assert.Equal(1, client.InFlight);
        Assert.Single(client.Sent);
        client.ReleaseAll();
        await client.WaitForSendsAsync(5);
        Assert.Equal([1, 2, 3, 4, 5], client.Sent.Select(e => e.Seq));

        // Idle now; the next event starts sending again.
        outbox.Post(Event(6));
        await client.WaitForSendsAsync(6);
        Assert.Equal(6, client.Sent[^1].Seq);
        Assert.Equal(0, client.Aborts);
    }

    [Fact]
    public async Task An_event_for_an_idle_connection_is_handed_to_it_on_the_posting_thread_and_what_queues_behind_a_slow_send_goes_later()
    {
        var client = new HeldBackClient();
        var outbox = new ConnectionOutbox(client, capacity: 100, NullLogger.Instance);

        // No thread hop (a wake-up each): handed to the connection before Post returns, by the poster's thread.
        outbox.Post(Event(1));
        Assert.Equal([1L], client.Sent.Select(e => e.Seq));
        Assert.Equal([Environment.CurrentManagedThreadId], client.SentOnThreads);

        // A send that does not complete at once keeps the rest queued; the poster goes on.
        client.Hold = true;
        outbox.Post(Event(2));
        outbox.Post(Event(3));
        outbox.Post(Event(4));
        Assert.Equal([1L, 2L], client.Sent.Select(e => e.Seq));
        client.ReleaseAll();
        await client.WaitForSendsAsync(4);
        Assert.Equal([1L, 2L, 3L, 4L], client.Sent.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_client_too_far_behind_is_aborted_once_gets_what_was_queued_and_nothing_after()
    {
        var client = new HeldBackClient { Hold = true };
        var outbox = new ConnectionOutbox(client, capacity: 3, NullLogger.Instance);

        outbox.Post(Event(1));
        await client.WaitForSendsAsync(1);
        // Event 1 is being sent: 2, 3 and 4 fill the queue, 5 is one too many, 6 comes after the close.
        for (var seq = 2; seq <= 6; seq++)
        {
            outbox.Post(Event(seq));
        }

        Assert.Equal(1, client.Aborts);
        client.ReleaseAll();
        await client.WaitForSendsAsync(4);
        Assert.Equal([1, 2, 3, 4], client.Sent.Select(e => e.Seq));
        outbox.Post(Event(7));
        Assert.Equal(4, client.Sent.Count);
    }

    [Fact]
    public async Task Lobby_changes_wait_coalesced_per_room_and_go_out_together_in_first_posted_order()
    {
        var client = new HeldBackClient { Hold = true };
        var outbox = new ConnectionOutbox(client, capacity: 100, NullLogger.Instance);

        outbox.Post(Event(1));
        await client.WaitForSendsAsync(1);
        // Two shards' batches posted one after the other, the second coalescing into the first.
        outbox.Post([Lobby(LobbyEventKinds.RoomAdded, "r1", players: 0), Lobby(LobbyEventKinds.RoomChanged, "r2", players: 1)]);
        outbox.Post([Lobby(LobbyEventKinds.RoomChanged, "r1", players: 2)]);
        client.ReleaseAll();
        await client.WaitForLobbyWritesAsync(1);

        var write = Assert.Single(client.LobbyWrites);
        Assert.Equal(["r1", "r2"], write.Select(e => e.Event.Room.RoomId));
        // r1 was added and changed before it went out: still news of an added room, in its latest state.
        Assert.Equal(LobbyEventKinds.RoomAdded, write[0].Event.Kind);
        Assert.Equal(2, write[0].Event.Room.Players);

        outbox.Post([Lobby(LobbyEventKinds.RoomChanged, "r1", players: 3)]);
        await client.WaitForLobbyWritesAsync(2);
        Assert.Equal(3, Assert.Single(client.LobbyWrites[1]).Event.Room.Players);
    }

    [Fact]
    public async Task A_batch_of_lobby_changes_goes_out_in_one_write_with_each_room_once_in_its_latest_state()
    {
        var client = new HeldBackClient();
        var outbox = new ConnectionOutbox(client, capacity: 100, NullLogger.Instance);

        outbox.Post([Lobby(LobbyEventKinds.RoomChanged, "r1", players: 1), Lobby(LobbyEventKinds.RoomChanged, "r2", players: 1),
            Lobby(LobbyEventKinds.RoomChanged, "r1", players: 2), Lobby(LobbyEventKinds.RoomRemoved, "r3", players: 0)]);
        await client.WaitForLobbyWritesAsync(1);

        var write = Assert.Single(client.LobbyWrites);
        Assert.Equal(["r1", "r2", "r3"], write.Select(e => e.Event.Room.RoomId));
        Assert.Equal([2, 1, 0], write.Select(e => e.Event.Room.Players));
        Assert.Equal(LobbyEventKinds.RoomRemoved, write[2].Event.Kind);
    }

    private static TableEvent Event(long seq) => new("room", seq, EventKinds.Took, "p1");

    private static PreparedEvent<LobbyEvent> Lobby(string kind, string roomId, int players) =>
        new(new LobbyEvent(kind, new RoomInfo(roomId, roomId, 4, players, Phases.Waiting)));

    /// <summary>A client whose sends complete at once, or, while <see cref="Hold"/>, when the test releases them.</summary>
    private sealed class HeldBackClient : IClientConnection
    {
        private readonly Lock _gate = new();
        private readonly List<TaskCompletionSource> _pending = [];

        public bool Hold { get; set; }

        public List<TableEvent> Sent { get; } = [];

        /// <summary>The managed thread each event was sent from.</summary>
        public List<int> SentOnThreads { get; } = [];

        public List<IReadOnlyList<PreparedEvent<LobbyEvent>>> LobbyWrites { get; } = [];

        public int Aborts { get; private set; }

        public int InFlight
        {
            get
            {
                lock (_gate)
                {
                    return _pending.Count(p => !p.Task.IsCompleted);
                }
            }
        }

        public string Id => "held-back";

        public IPAddress? RemoteAddress => IPAddress.Loopback;

        public Task SendEventAsync(TableEvent tableEvent)
        {
            lock (_gate)
            {
                Sent.Add(tableEvent);
                SentOnThreads.Add(Environment.CurrentManagedThreadId);
                return Next();
            }
        }

        public Task SendEventAsync(PreparedEvent<TableEvent> tableEvent) => SendEventAsync(tableEvent.Event);

        public Task SendLobbyEventsAsync(IReadOnlyList<PreparedEvent<LobbyEvent>> lobbyEvents)
        {
            lock (_gate)
            {
                LobbyWrites.Add(lobbyEvents);
                return Next();
            }
        }

        public Task<bool> CloseAsync(GameError reason) => Task.FromResult(true);

        public void Abort() => Aborts++;

        /// <summary>Completes every send made so far and every later one.</summary>
        public void ReleaseAll()
        {
            lock (_gate)
            {
                Hold = false;
                foreach (var pending in _pending)
                {
                    pending.TrySetResult();
                }
            }
        }

        public Task WaitForSendsAsync(int count) => WaitUntilAsync(() => Sent.Count >= count);

        public Task WaitForLobbyWritesAsync(int count) => WaitUntilAsync(() => LobbyWrites.Count >= count);

        private Task Next()
        {
            var send = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!Hold)
            {
                send.TrySetResult();
            }

            _pending.Add(send);
            return send.Task;
        }

        private async Task WaitUntilAsync(Func<bool> condition)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                lock (_gate)
                {
                    if (condition())
                    {
                        return;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, "timed out");
                await Task.Delay(10);
            }
        }
    }
}
