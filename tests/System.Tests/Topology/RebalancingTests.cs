using System.Collections.Concurrent;
using System.Diagnostics;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// Existing tables move onto a silo that joins (the silos' rebalancing with the settings shipped, one live migration at
/// a time): 40 busy tables on one silo, a second silo joins, and within 2 minutes it hosts at least half
/// its fair share of them, by its own <c>cardgame_tables_active</c>, while every player sees every event once, in order,
/// and the turn timers of the tables that moved keep running.
/// </summary>
public sealed class RebalancingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Tables = 40;

    /// <summary>Tables whose players never move: the server's turn timer moves for them, before and after they move.</summary>
    private const int IdleTables = 10;

    /// <summary>Half of the new silo's fair share (40 tables over 2 silos): issue 11's target.</summary>
    private const int HalfFairShare = Tables / 2 / 2;

    /// <summary>How long after joining the new silo may take to host <see cref="HalfFairShare"/> tables: the target.</summary>
    private static readonly TimeSpan SpreadWithin = TimeSpan.FromMinutes(2);

    /// <summary>Between a bot's moves: 40 tables then offer well under 100 moves/s, light for a shared 2-core machine.</summary>
    private static readonly TimeSpan ThinkTime = TimeSpan.FromMilliseconds(400);

    /// <summary>Calls slower than this are listed one by one (issue 11's target is 1 s).</summary>
    private static readonly TimeSpan SlowCall = TimeSpan.FromMilliseconds(500);

    private const string MigrationLog = "Orleans.Runtime.ActivationMigrationManager";

    private ProcessTopology _topology = null!;

    public async Task InitializeAsync() => _topology = await ProcessTopology.StartAsync(silos: 1, edges: 1, nginx: false,
        gameSettings: new Dictionary<string, string?>
        {
            ["Game:TurnTimeoutSeconds"] = "5",
            // Orleans logs each batch of activations a silo sends to another ("Migrated {Count} activations to ...").
            [$"Logging:LogLevel:{MigrationLog}"] = "Debug",
        },
        edgeSettings: new Dictionary<string, string?>
        {
            // 80 bots sign in from one address within seconds.
            ["Edge:GuestSignInsPerMinute"] = "1000",
            ["Edge:GuestSignInBurst"] = "1000",
        });

    public async Task DisposeAsync() => await _topology.DisposeAsync();

    [Fact]
    public async Task Busy_tables_spread_onto_a_silo_that_joins_and_players_see_every_event_in_order()
    {
        var edge = _topology.Edges[0].Url;
        var first = _topology.Silos[0];
        var tables = new List<(string RoomId, GameBot[] Bots, long StartSeq)>();
        foreach (var batch in Enumerable.Range(0, Tables).Chunk(8))
        {
            tables.AddRange(await Task.WhenAll(batch.Select(async t =>
            {
                var bots = new[] { await GameBot.ConnectAsync(edge, $"a{t}"), await GameBot.ConnectAsync(edge, $"b{t}") };
                var room = await bots[0].Connection.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"table {t}", 2));
                foreach (var bot in bots)
                {
                    await bot.Connection.InvokeAsync<TableView>("JoinRoom", room.RoomId);
                }

                var started = await bots[0].Connection.InvokeAsync<TableView>("StartGame", room.RoomId);
                return (room.RoomId, bots, started.Seq);
            })));
        }

        await WaitUntilAsync(async () => await ActiveTablesAsync(first) == Tables, TimeSpan.FromSeconds(30), "the first silo to count the tables");

        // Every bot plays its table's turns until told to stop, timing each call a move takes (look, then move).
        using var stop = new CancellationTokenSource();
        var stalls = new ConcurrentDictionary<string, TimeSpan>();
        var slowCalls = new ConcurrentBag<(string RoomId, double AtSeconds, double Ms)>();
        var clock = Stopwatch.StartNew();
        var phase = "before";
        var moves = 0;
        var playing = tables.Skip(IdleTables).Select(t => Task.Run(() => PlayAsync(t.RoomId, t.Bots, () => phase, stalls, (elapsed) =>
        {
            if (elapsed > SlowCall)
            {
                slowCalls.Add((t.RoomId, clock.Elapsed.TotalSeconds, elapsed.TotalMilliseconds));
            }
        }, () => Interlocked.Increment(ref moves), stop.Token))).ToList();
        await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref moves) >= Tables * 3), TimeSpan.FromMinutes(2), "the bots to make their first moves");

        var seqAtJoin = new Dictionary<string, long>();
        foreach (var (roomId, bots, _) in tables)
        {
            seqAtJoin[roomId] = bots.Min(b => b.Events.LastOrDefault()?.Seq ?? 0);
        }

        var joining = Stopwatch.StartNew();
        var startedAt = clock.Elapsed.TotalSeconds;
        phase = "starting";
        var second = await _topology.AddSiloAsync();
        var joinedAfter = joining.Elapsed;
        phase = "after";
        var sinceJoin = Stopwatch.StartNew();
        var joinedAt = clock.Elapsed.TotalSeconds;
        double onSecond;
        while ((onSecond = await ActiveTablesAsync(second)) < HalfFairShare)
        {
            Assert.True(sinceJoin.Elapsed < SpreadWithin,
                $"the new silo hosts {onSecond} tables {sinceJoin.Elapsed.TotalSeconds:F0} s after joining (target: {HalfFairShare} within {SpreadWithin.TotalSeconds} s)");
            Assert.False(playing.Any(p => p.IsFaulted), "a bot failed");
            await Task.Delay(250);
        }

        var reached = sinceJoin.Elapsed;
        var movesAtSpread = Volatile.Read(ref moves);
        // A few more moves on the tables where they now are, then stop.
        await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref moves) >= movesAtSpread + Tables), TimeSpan.FromMinutes(1), "moves after the spread");
        await stop.CancelAsync();
        await Task.WhenAll(playing);

        var hosted = (await ActiveTablesAsync(first), await ActiveTablesAsync(second));
        output.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine($"the second silo was ready {joinedAfter.TotalSeconds:F1} s after it was started, and hosted {HalfFairShare} tables " +
            $"(half its fair share) {reached.TotalSeconds:F1} s after that; at the end silo1 {hosted.Item1}, silo2 {hosted.Item2}");
        output.WriteLine($"tables that migrated in (silo2's log): {Count(second.Output, "migrated here")}; moves acknowledged: {moves}");
        output.WriteLine($"longest call of a move (look or move) before the second silo started: {Ms(stalls, "before")} ms; while it started: " +
            $"{Ms(stalls, "starting")} ms; after it joined: {Ms(stalls, "after")} ms");
        var migrated = second.Output.Split('\n').Where(l => l.Contains("migrated here", StringComparison.Ordinal)).ToList();
        var transfers = TransferTimes(first.Output, second.Output);
        if (transfers.Count > 0)
        {
            output.WriteLine($"tables that migrated, from leaving the first silo to arriving on the second (by the logs' times): {transfers.Count}, " +
                $"median {transfers.Order().ElementAt(transfers.Count / 2):F0} ms, longest {transfers.Max():F0} ms");
        }

        foreach (var slow in slowCalls.OrderBy(c => c.AtSeconds))
        {
            output.WriteLine($"  a call over {SlowCall.TotalSeconds} s: {slow.Ms:F0} ms, ending {slow.AtSeconds - joinedAt:F1} s after the join (the silo started at " +
                $"{startedAt - joinedAt:F1} s), table {slow.RoomId}{(migrated.Any(l => l.Contains(slow.RoomId, StringComparison.Ordinal)) ? " (migrated)" : "")}");
        }

        // Every player saw every event of its table from the first deal once, in seq order, up to the last.
        var violations = new List<string>();
        foreach (var (roomId, bots, startSeq) in tables)
        {
            var last = (await bots[0].GetTableAsync(roomId)).Seq;
            foreach (var bot in bots)
            {
                await bot.WaitForSeqAsync(last, TimeSpan.FromSeconds(30));
                var seqs = bot.Events.Select(e => e.Seq).SkipWhile(s => s < startSeq).ToList();
                var broken = seqs.Zip(seqs.Skip(1)).Where(p => p.Second != p.First + 1).Take(3).ToList();
                if (seqs.FirstOrDefault() != startSeq || seqs.LastOrDefault() != last)
                {
                    violations.Add($"{roomId}/{bot.PlayerId}: events from {seqs.FirstOrDefault()} to {seqs.LastOrDefault()}, table at {startSeq}..{last}");
                }

                if (broken.Count > 0)
                {
                    violations.Add($"{roomId}/{bot.PlayerId}: {string.Join(", ", broken.Select(p => $"{p.First}->{p.Second}"))}");
                }
            }

            // Resume answers with the events since before the join (the table's resume log moved with it), or, for a
            // table that played more than its log keeps since, with its latest events.
            var from = Math.Max(seqAtJoin[roomId], last - 200);
            // The table may have moved on since `last` was read (an idle table's turn timer plays for its player).
            var resumed = await bots[1].Connection.InvokeAsync<Resumed>("Resume", roomId, from);
            Assert.NotNull(resumed.Events);
            var upTo = Math.Max(last, resumed.Events.LastOrDefault()?.Seq ?? last);
            Assert.Equal(Enumerable.Range(1, (int)(upTo - from)).Select(i => from + i), resumed.Events.Select(e => e.Seq));
        }

        // The turn timers of idle tables that moved kept running: the server moved for their players after the move.
        var idleMoved = 0;
        foreach (var (roomId, bots, _) in tables.Take(IdleTables))
        {
            var migratedAt = MigratedAtSeq(second.Output, roomId);
            if (migratedAt is { } seq)
            {
                idleMoved++;
                await WaitUntilAsync(() => Task.FromResult(bots[0].Events.Any(e => e.Seq > seq && e.Auto == true)), TimeSpan.FromSeconds(30),
                    $"a timed-out turn at idle table {roomId}, which migrated at seq {seq}");
            }
        }

        output.WriteLine($"idle tables (turn timer only) that migrated and whose timer moved for a player afterwards: {idleMoved} of {IdleTables}");
        output.WriteLine($"violations (a gap, a repeat or a reorder in a player's events): {violations.Count}");
        Assert.True(violations.Count == 0, string.Join("\n", violations));

        // No table was sent to the new silo before its warm-up was over (it reports its load to the rebalancing only
        // then): the warm-up's own migration and a table's went in one batch when the first silo's balancer did not wait.
        var warmedAt = FirstTime(second.Output, "Warm-up: a made-up room migrated here") ?? FirstTime(second.Output, "Warm-up of ");
        var firstTableIn = tables.Select(t => FirstTime(second.Output, $"Room {t.RoomId} migrated here")).Where(t => t is not null).Min();
        output.WriteLine($"the new silo's warm-up ended at {warmedAt}; the first table migrated in at {firstTableIn}");
        Assert.NotNull(warmedAt);
        Assert.True(firstTableIn is null || firstTableIn >= warmedAt, $"a table migrated in at {firstTableIn}, before the warm-up ended at {warmedAt}");

        // Every migration went alone: a call to a table that moves waits for the whole batch it went in to be active
        // on the new silo, so the silos move one activation at a time (ActivationBalancer).
        var batches = MigrationBatches(first.Output);
        output.WriteLine($"migration batches sent by the first silo: {batches.Count}, sizes {string.Join(", ", batches.GroupBy(b => b).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}");
        Assert.True(batches.Count >= HalfFairShare, $"the first silo logged {batches.Count} migration batches");
        Assert.All(batches, size => Assert.Equal(1, size));
        foreach (var bot in tables.SelectMany(t => t.Bots))
        {
            await bot.DisposeAsync();
        }
    }

    /// <summary>Plays whoever's turn it is at this table; a finished game is dealt again. Records each call's longest time.</summary>
    private static async Task PlayAsync(string roomId, GameBot[] bots, Func<string> phase, ConcurrentDictionary<string, TimeSpan> stalls,
        Action<TimeSpan> timed, Action moved, CancellationToken stop)
    {
        async Task<T> Timed<T>(Func<Task<T>> call)
        {
            var timer = Stopwatch.StartNew();
            var result = await call();
            stalls.AddOrUpdate(phase(), timer.Elapsed, (_, longest) => longest > timer.Elapsed ? longest : timer.Elapsed);
            timed(timer.Elapsed);
            return result;
        }

        while (!stop.IsCancellationRequested)
        {
            try
            {
                var view = await Timed(() => bots[0].GetTableAsync(roomId));
                if (view.Phase == Phases.Finished)
                {
                    await Timed(() => bots[0].Connection.InvokeAsync<TableView>("StartGame", roomId));
                }
                else if (view.Turn is { } turn)
                {
                    var mover = bots.Single(b => b.PlayerId == turn);
                    var mine = await Timed(() => mover.GetTableAsync(roomId));
                    await Timed(() => MoveChooser.ChoosePut(mine) is { } put
                        ? mover.Connection.InvokeAsync<TableView>("PutCard", roomId, put.Card, put.Suit, null)
                        : mover.Connection.InvokeAsync<TableView>("TakeCard", roomId, null));
                }

                moved();
            }
            catch (HubException ex) when (GameError.FromHubMessage(ex.Message)?.Code is ErrorCodes.RateLimited or ErrorCodes.NotYourTurn)
            {
                // As a well-behaved client does: slow down and carry on, or play on after the server moved for a bot
                // whose turn timed out while its calls were slow. Anything else fails the test.
            }

            await Task.Delay(ThinkTime, CancellationToken.None);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < timeout, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static string Ms(ConcurrentDictionary<string, TimeSpan> stalls, string phase) =>
        stalls.TryGetValue(phase, out var longest) ? longest.TotalMilliseconds.ToString("F0", global::System.Globalization.CultureInfo.InvariantCulture) : "-";

    /// <summary>The seq at which the table migrated to this silo, from its log line, or null if it did not.</summary>
    private static long? MigratedAtSeq(string log, string roomId)
    {
        var line = log.Split('\n').LastOrDefault(l => l.Contains($"Room {roomId} migrated here at seq ", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(" migrated here at seq ")[1].Split(' ')[0], global::System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// For each table that left the first silo and arrived on the second, the milliseconds between its two log lines
    /// ("Room … migrating at seq", "Room … migrated here at seq"), by the times the test read them.
    /// </summary>
    private static List<double> TransferTimes(string from, string to)
    {
        static Dictionary<string, TimeSpan> Times(string log, string what) => log.Split('\n')
            .Where(l => l.Length > 13 && l.Contains(what, StringComparison.Ordinal) && l.Contains("Room ", StringComparison.Ordinal))
            .Select(l => (Room: l[(l.IndexOf("Room ", StringComparison.Ordinal) + 5)..].Split(' ')[0], At: TimeSpan.Parse(l[..12], global::System.Globalization.CultureInfo.InvariantCulture)))
            .GroupBy(t => t.Room)
            .ToDictionary(g => g.Key, g => g.First().At);

        var left = Times(from, " migrating at seq ");
        var arrived = Times(to, " migrated here at seq ");
        return [.. left.Where(l => arrived.ContainsKey(l.Key)).Select(l => (arrived[l.Key] - l.Value).TotalMilliseconds)];
    }

    /// <summary>The size of each batch of migrating activations a silo sent, from Orleans' debug log.</summary>
    private static List<int> MigrationBatches(string log) => [.. log.Split('\n')
        .Where(l => l.Contains(" activations to target silo ", StringComparison.Ordinal) && l.Contains("Migrated ", StringComparison.Ordinal))
        .Select(l => int.Parse(l[(l.IndexOf("Migrated ", StringComparison.Ordinal) + "Migrated ".Length)..].Split(' ')[0], global::System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The time (the log's own, <c>HH:mm:ss.fff</c>) of the first line containing <paramref name="what"/>.</summary>
    private static TimeSpan? FirstTime(string log, string what) => log.Split('\n')
        .Where(l => l.Length > 13 && l.Contains(what, StringComparison.Ordinal))
        .Select(l => (TimeSpan?)TimeSpan.Parse(l[..12], global::System.Globalization.CultureInfo.InvariantCulture))
        .FirstOrDefault();

    private static int Count(string text, string what) => text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    private static async Task<double> ActiveTablesAsync(ServerProcess silo)
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(silo.Url + "/metrics")).Split('\n')
            .Where(l => l.StartsWith("cardgame_tables_active{", StringComparison.Ordinal) || l.StartsWith("cardgame_tables_active ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.IndexOf('}') + 1)..].Trim().Split(' ')[0], global::System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
    }
}
