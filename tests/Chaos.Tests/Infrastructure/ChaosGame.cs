using System.Diagnostics;
using Xunit.Abstractions;

namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>
/// One table of two <see cref="ChaosClient"/>s, each on its own edge, playing while a fault is injected; then the
/// history check of what they recorded against what Redis holds.
/// </summary>
public sealed class ChaosGame : IAsyncDisposable
{
    /// <summary>The table remembers the last 32 move ids per player: runs stay below, so storage lists every move.</summary>
    private const int MaxMovesEach = 30;

    private readonly ITestOutputHelper _output;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _players = [];

    private ChaosGame(string roomId, ChaosClient[] clients, Stopwatch clock, ITestOutputHelper output)
    {
        RoomId = roomId;
        Clients = clients;
        Clock = clock;
        _output = output;
    }

    public string RoomId { get; }

    public IReadOnlyList<ChaosClient> Clients { get; }

    public Stopwatch Clock { get; }

    public IEnumerable<ActionRecord> Moves => Clients.SelectMany(c => c.Actions).Where(a => a.IsMove);

    /// <summary>Seats two players (on the first and the second edge of <paramref name="edgesFor"/>), deals, and starts playing.</summary>
    /// <param name="accept">Whether to play at a new room (e.g. where its table was placed); else another is created.</param>
    public static async Task<ChaosGame> StartAsync(
        Func<int, Func<IReadOnlyList<string>>> edgesFor, ITestOutputHelper output, TimeSpan? invocationTimeout = null, Func<string, Task<bool>>? accept = null)
    {
        var clock = Stopwatch.StartNew();
        var timeout = invocationTimeout ?? TimeSpan.FromSeconds(5);
        var clients = await Task.WhenAll(
            ChaosClient.SignInAsync("alice", edgesFor(0), clock, timeout),
            ChaosClient.SignInAsync("bob", edgesFor(1), clock, timeout));
        var room = await clients[0].InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("chaos", 2));
        for (var tries = 1; accept is not null && !await accept(room.RoomId); tries++)
        {
            Assert.True(tries < 40, "no room was accepted");
            room = await clients[0].InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("chaos", 2));
        }

        foreach (var client in clients)
        {
            await client.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        }

        var started = await clients[0].InvokeAsync<TableView>("StartGame", room.RoomId);
        foreach (var client in clients)
        {
            client.StartRecordingAfter(started.Seq - 1);
        }

        var game = new ChaosGame(room.RoomId, clients, clock, output);
        game._players = [.. clients.Select((c, i) => Task.Run(() => c.PlayAsync(room.RoomId, dealer: i == 0, MaxMovesEach, game._stop.Token)))];
        output.WriteLine($"room {room.RoomId}: {clients[0].PlayerId} on {clients[0].Edge}, {clients[1].PlayerId} on {clients[1].Edge}");
        return game;
    }

    /// <summary>
    /// Lets the clients play a few moves, runs <paramref name="fault"/>, and waits until they have played
    /// <paramref name="movesAfter"/> more. Returns how long the table was unavailable: the longest pause between two
    /// acknowledged moves from just before the fault until those moves after it (moves otherwise follow each other
    /// every few tens of milliseconds).
    /// </summary>
    /// <summary>When the last <see cref="InjectAsync"/> began and finished its fault, on <see cref="Clock"/>.</summary>
    public (TimeSpan Start, TimeSpan End) FaultWindow { get; private set; }

    public async Task<TimeSpan> InjectAsync(string name, Func<Task> fault, int movesBefore = 6, int movesAfter = 8)
    {
        await WaitForMovesAsync(movesBefore, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        var start = Clock.Elapsed;
        await fault();
        var end = Clock.Elapsed;
        FaultWindow = (start, end);
        await WaitForMovesAsync(movesAfter, end, TimeSpan.FromSeconds(90));
        var acknowledged = Moves.Where(m => m.Final == Outcome.Ok).Select(m => m.Attempts[^1]).ToList();
        var firstAfter = acknowledged.Where(a => a.StartedAt >= end).Min(a => a.EndedAt);
        var around = acknowledged.Select(a => a.EndedAt).Where(t => t >= start - TimeSpan.FromSeconds(2)).Order().ToList();
        var unavailable = around.Zip(around.Skip(1), (a, b) => b - a).Append(firstAfter - start).Max();
        _output.WriteLine($"{name}: fault from {start.TotalMilliseconds:F0} to {end.TotalMilliseconds:F0} ms; " +
            $"first move acknowledged {(firstAfter - end).TotalMilliseconds:F0} ms after it; table unavailable for {unavailable.TotalMilliseconds:F0} ms " +
            "(longest pause between acknowledged moves)");
        return unavailable;
    }

    /// <summary>Waits until <paramref name="condition"/> holds on what the clients recorded (fails after <paramref name="timeout"/>).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Clock.Elapsed + timeout;
        while (!condition())
        {
            if (Clock.Elapsed > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {what}:\n{Describe()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until <paramref name="count"/> moves were acknowledged to attempts sent after <paramref name="since"/>.</summary>
    public async Task WaitForMovesAsync(int count, TimeSpan since, TimeSpan timeout)
    {
        var deadline = Clock.Elapsed + timeout;
        while (Moves.Count(m => m.Final == Outcome.Ok && m.Attempts[^1].StartedAt >= since) < count)
        {
            if (Clock.Elapsed > deadline)
            {
                throw new TimeoutException($"fewer than {count} moves acknowledged within {timeout}:\n{Describe()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Stops the clients, lets each catch up with the table, and checks the history: returns what it found wrong
    /// (empty when all is well). Prints the run's figures.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAndCheckAsync(RedisServer redis)
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_players).WaitAsync(TimeSpan.FromSeconds(90));

        // Every client catches up with the table (as a client does after a gap: Resume), until all agree.
        var views = new TableView?[Clients.Count];
        var deadline = Clock.Elapsed + TimeSpan.FromSeconds(20);
        while (true)
        {
            for (var i = 0; i < Clients.Count; i++)
            {
                var client = Clients[i];
                if (await client.EnsureConnectedAsync(RoomId) && await client.TryGetTableAsync(RoomId) is { } view)
                {
                    views[i] = view;
                    await client.CatchUpAsync(RoomId, view.Seq);
                }
            }

            if (views.All(v => v?.Seq == views[0]?.Seq) && Clients.All(c => c.ContiguousSeq == views[0]?.Seq))
            {
                break;
            }

            if (Clock.Elapsed > deadline)
            {
                if (views.Any(v => v is null))
                {
                    return ["a client could not read the table at the end:\n" + Describe()];
                }

                break; // the history check says where they differ
            }

            await Task.Delay(300);
        }

        var stored = await StoredTable.ReadAsync(redis, RoomId);
        var violations = HistoryCheck.Run(Clients, [.. views.Select(v => v!)], stored);
        _output.WriteLine(Summary(stored));
        foreach (var action in Clients.SelectMany(c => c.Actions).Where(a => a.Attempts.Any(t => t.Outcome != Outcome.Ok)))
        {
            _output.WriteLine("  " + action);
        }

        foreach (var violation in violations)
        {
            _output.WriteLine("VIOLATION: " + violation);
        }

        return violations;
    }

    public string Describe() => string.Join("\n", Clients.SelectMany(c => c.Actions).Where(a => a.Kind != "get").Select(a => a.ToString()));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var client in Clients)
        {
            await client.DisposeAsync();
        }

        _stop.Dispose();
    }

    private string Summary(StoredTable stored)
    {
        var actions = Clients.SelectMany(c => c.Actions).ToList();
        var attempts = actions.SelectMany(a => a.Attempts).ToList();
        var moves = actions.Where(a => a.IsMove).ToList();
        return $"final seq {stored.Seq}; {actions.Count} actions, {attempts.Count} attempts " +
            $"({attempts.Count(a => a.Outcome == Outcome.Ok)} ok, {attempts.Count(a => a.Outcome == Outcome.Error)} error, {attempts.Count(a => a.Outcome == Outcome.Unknown)} unknown); " +
            $"{moves.Count} moves: {moves.Count(m => m.Final == Outcome.Ok)} acknowledged ({moves.Count(m => m.Final == Outcome.Ok && m.Attempts.Count > 1)} after a retry), " +
            $"{moves.Count(m => m.Final == Outcome.Error)} refused; " +
            string.Join("; ", Clients.Select(c => $"{c.Name}: {c.Events.Count} events ({c.EventsFromResume} by Resume), {c.Reconnects} reconnects, {c.ViewsAdopted} views adopted, now on {c.Edge}"));
    }
}
