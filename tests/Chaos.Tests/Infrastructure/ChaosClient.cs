using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>
/// A player over SignalR that behaves as the protocol asks of a client, and records everything: every action with
/// each attempt's outcome (ok / error code / unknown), and every <c>TableEvent</c> it receives. It plays legal moves
/// with a fresh <c>moveId</c> each; retries a move whose outcome is unknown with the same <c>moveId</c> until it
/// knows; when its connection is lost it connects again through any edge that answers, signs in with its token and
/// catches up with <c>Resume</c>; and it fills any gap in the events it saw with <c>Resume</c>.
/// </summary>
public sealed class ChaosClient : IAsyncDisposable
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    private readonly Func<IReadOnlyList<string>> _edges;
    private readonly Stopwatch _clock;
    private readonly SemaphoreSlim _eventArrived = new(0);
    private readonly object _gate = new();
    private readonly List<ActionRecord> _actions = [];
    private readonly List<TableEvent> _events = [];
    private readonly HashSet<long> _covered = [];
    private HubConnection? _connection;
    private long _contiguous;

    private ChaosClient(GuestToken token, Func<IReadOnlyList<string>> edges, Stopwatch clock, TimeSpan invocationTimeout)
    {
        Token = token;
        _edges = edges;
        _clock = clock;
        InvocationTimeout = invocationTimeout;
    }

    public GuestToken Token { get; }

    public string PlayerId => Token.PlayerId;

    public string Name => Token.Name;

    /// <summary>How long the client waits for an answer before the attempt's outcome is unknown.</summary>
    public TimeSpan InvocationTimeout { get; }

    /// <summary>The edge the client is connected through now.</summary>
    public string? Edge { get; private set; }

    public int Reconnects { get; private set; }

    /// <summary>Resume answers that were a fresh view instead of the missed events (their seqs count as seen).</summary>
    public int ViewsAdopted { get; private set; }

    public int EventsFromResume { get; private set; }

    /// <summary>The seq from which this client must have seen every event (set when it starts playing).</summary>
    public long BaseSeq { get; private set; }

    /// <summary>The highest seq up to which the client saw every event since <see cref="BaseSeq"/>.</summary>
    public long ContiguousSeq
    {
        get
        {
            lock (_gate)
            {
                while (_covered.Contains(_contiguous + 1))
                {
                    _contiguous++;
                }

                return _contiguous;
            }
        }
    }

    public IReadOnlyList<ActionRecord> Actions
    {
        get
        {
            lock (_gate)
            {
                return [.. _actions];
            }
        }
    }

    public IReadOnlyList<TableEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Seqs after <see cref="BaseSeq"/> that the client neither received nor skipped with a Resume view.</summary>
    public IReadOnlyList<long> GapsUpTo(long seq)
    {
        lock (_gate)
        {
            var gaps = new List<long>();
            for (var s = BaseSeq + 1; s <= seq; s++)
            {
                if (!_covered.Contains(s))
                {
                    gaps.Add(s);
                }
            }

            return gaps;
        }
    }

    public static async Task<ChaosClient> SignInAsync(string name, Func<IReadOnlyList<string>> edges, Stopwatch clock, TimeSpan invocationTimeout)
    {
        var token = await GameBot.SignInAsync(edges()[0], name);
        var client = new ChaosClient(token, edges, clock, invocationTimeout);
        await client.ConnectAsync();
        return client;
    }

    /// <summary>Invokes a method that must succeed (setting up a game before any fault).</summary>
    public Task<T> InvokeAsync<T>(string method, params object?[] args) => _connection!.InvokeCoreAsync<T>(method, args);

    /// <summary>From here on every event after <paramref name="seq"/> must reach this client.</summary>
    public void StartRecordingAfter(long seq)
    {
        lock (_gate)
        {
            BaseSeq = seq;
            _contiguous = seq;
        }
    }

    /// <summary>
    /// Plays until <paramref name="stop"/> or <paramref name="maxMoves"/> acknowledged moves: whenever it is this
    /// player's turn (as a fresh <c>GetTable</c> shows), a matching card, else an 8, else take. The
    /// <paramref name="dealer"/> deals again when a game is over.
    /// </summary>
    public async Task PlayAsync(string roomId, bool dealer, int maxMoves, CancellationToken stop)
    {
        var moves = 0;
        while (!stop.IsCancellationRequested && moves < maxMoves)
        {
            if (!await EnsureConnectedAsync(roomId))
            {
                await Delay(200, stop);
                continue;
            }

            var (outcome, view) = await RecordAsync<TableView>(new ActionRecord(PlayerId, "get", null, null, null), "GetTable", roomId);
            if (outcome != Outcome.Ok)
            {
                await Delay(200, stop);
                continue;
            }

            await CatchUpAsync(roomId, view!.Seq);
            if (view.Phase == Phases.Finished && dealer)
            {
                await RecordAsync<TableView>(new ActionRecord(PlayerId, "start", null, null, null), "StartGame", roomId);
                continue;
            }

            if (view.Phase != Phases.Playing || view.Turn != PlayerId)
            {
                await _eventArrived.WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
                continue;
            }

            var put = MoveChooser.ChoosePut(view);
            var move = new ActionRecord(PlayerId, put is null ? "take" : "put", Guid.NewGuid().ToString("N"), put?.Card, put?.Suit);
            if (await PlayMoveAsync(roomId, move) == Outcome.Ok)
            {
                moves++;
            }
        }
    }

    /// <summary>The table as the client sees it now, or null when the call did not succeed (it is recorded either way).</summary>
    public async Task<TableView?> TryGetTableAsync(string roomId)
    {
        var (outcome, view) = await RecordAsync<TableView>(new ActionRecord(PlayerId, "get", null, null, null), "GetTable", roomId);
        return outcome == Outcome.Ok ? view : null;
    }

    /// <summary>
    /// Sends the move, and again with the same moveId while the outcome is unknown (timeout, lost connection,
    /// <c>unavailable</c>, <c>rate_limited</c>), until it is acknowledged or refused.
    /// </summary>
    public async Task<Outcome> PlayMoveAsync(string roomId, ActionRecord move)
    {
        var deadline = _clock.Elapsed + GiveUpAfter;
        while (true)
        {
            var (outcome, _) = move.Kind == "put"
                ? await RecordAsync<TableView>(move, "PutCard", roomId, move.Card, move.Suit, move.MoveId)
                : await RecordAsync<TableView>(move, "TakeCard", roomId, move.MoveId);
            if (outcome != Outcome.Unknown || _clock.Elapsed > deadline)
            {
                return outcome;
            }

            await Task.Delay(200);
            await EnsureConnectedAsync(roomId);
        }
    }

    /// <summary>
    /// Brings the client up to the table's <paramref name="seq"/>: waits briefly for events in flight, then asks
    /// for the missed ones with <c>Resume</c> (or adopts the view it returns instead).
    /// </summary>
    public async Task CatchUpAsync(string roomId, long seq)
    {
        for (var wait = 0; wait < 10 && ContiguousSeq < seq; wait++)
        {
            await _eventArrived.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }

        if (ContiguousSeq < seq)
        {
            await ResumeAsync(roomId);
        }
    }

    /// <summary>Reconnects if the connection is gone (through the first edge that accepts), then resumes.</summary>
    public async Task<bool> EnsureConnectedAsync(string roomId)
    {
        if (_connection is { State: HubConnectionState.Connected })
        {
            return true;
        }

        try
        {
            await ConnectAsync();
        }
        catch (Exception)
        {
            return false;
        }

        Reconnects++;
        return await ResumeAsync(roomId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<bool> ResumeAsync(string roomId)
    {
        var lastSeq = ContiguousSeq;
        var (outcome, resumed) = await RecordAsync<Resumed>(new ActionRecord(PlayerId, "resume", null, null, null), "Resume", roomId, lastSeq);
        if (outcome != Outcome.Ok)
        {
            return false;
        }

        if (resumed!.Events is { } events)
        {
            foreach (var e in events)
            {
                Receive(e);
                EventsFromResume++;
            }
        }
        else if (resumed.View is { } view)
        {
            lock (_gate)
            {
                // The table no longer has those events (it moved): the view stands for them.
                for (var s = lastSeq + 1; s <= view.Seq; s++)
                {
                    _covered.Add(s);
                }
            }

            ViewsAdopted++;
        }

        return true;
    }

    private async Task ConnectAsync()
    {
        Exception? last = null;
        foreach (var edge in _edges())
        {
            var connection = new HubConnectionBuilder()
                .WithUrl($"{edge}/hubs/game", o => o.AccessTokenProvider = () => Task.FromResult<string?>(Token.Token))
                .Build();
            connection.On<TableEvent>(nameof(IGameClient.TableEvent), Receive);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await connection.StartAsync(timeout.Token);
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                _connection = connection;
                Edge = edge;
                return;
            }
            catch (Exception ex)
            {
                last = ex;
                await connection.DisposeAsync();
            }
        }

        throw new InvalidOperationException("no edge accepted the connection", last);
    }

    private void Receive(TableEvent e)
    {
        lock (_gate)
        {
            _events.Add(e);
            _covered.Add(e.Seq);
        }

        _eventArrived.Release();
    }

    private async Task<(Outcome, T?)> RecordAsync<T>(ActionRecord action, string method, params object?[] args)
    {
        lock (_gate)
        {
            if (!_actions.Contains(action))
            {
                _actions.Add(action);
            }
        }

        var edge = Edge ?? "";
        var started = _clock.Elapsed;
        Outcome outcome;
        string? code = null;
        var result = default(T);
        try
        {
            using var timeout = new CancellationTokenSource(InvocationTimeout);
            result = await _connection!.InvokeCoreAsync<T>(method, args, timeout.Token);
            outcome = Outcome.Ok;
        }
        catch (HubException ex)
        {
            code = GameError.FromHubMessage(ex.Message)?.Code ?? ex.Message;
            // unavailable: the cluster could not be reached in time, so the call may have run; rate_limited: this
            // attempt changed nothing, but an earlier one may still be on its way. Either way: retry.
            outcome = code is ErrorCodes.Unavailable or ErrorCodes.RateLimited ? Outcome.Unknown : Outcome.Error;
        }
        catch (Exception ex)
        {
            // A timeout, a lost connection: the call may or may not have run.
            code = ex.GetType().Name;
            outcome = Outcome.Unknown;
        }

        lock (_gate)
        {
            action.Attempts.Add(new Attempt(edge, started, _clock.Elapsed, outcome, code));
            if (outcome == Outcome.Ok && result is TableView view)
            {
                action.AckSeq = view.Seq;
            }
        }

        return (outcome, result);
    }

    private static async Task Delay(int milliseconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(milliseconds, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
