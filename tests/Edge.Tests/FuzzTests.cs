using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using CardGame.Contracts.Cards;
using CardGame.Edge.Delivery;
using CardGame.Edge.Hub;
using CardGame.TestSupport;
using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// 10,000 hostile invocations through real SignalR connections to both edges while legal games go on: unknown methods,
/// wrong argument counts and types, nulls, strings near and over the 32 KiB limit, deep nesting, malformed room ids,
/// cards that are no cards, moves out of turn, at another table, of cards not held, bad tokens, bursts over the rate
/// limit. Each connection keeps under the rate limit (16 invocations a second) except in deliberate bursts, so most
/// invocations reach the hub. Replay with <c>CARDGAME_FUZZ_SEED</c> (the sequence of invocations; timing differs).
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class FuzzTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private const int Invocations = 10_000;
    private const int Tables = 3;
    private const int Outsiders = 32;
    private const int Anonymous = 4;
    private const string ClosedPrefix = "The server closed the connection with the following error: ";
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(1000.0 / 16);
    private static readonly string[] Methods = ["Authenticate", "ListRooms", "CreateRoom", "JoinRoom", "StartGame", "TakeCard", "PutCard", "LeaveRoom", "GetTable", "Resume"];
    private static readonly string[] Leaks = ["Exception", "   at ", "System."];

    [Fact]
    public async Task Ten_thousand_hostile_invocations_fail_with_contract_codes_leak_nothing_and_leave_tables_and_edges_as_they_were()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CARDGAME_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed} (replay: CARDGAME_FUZZ_SEED={seed})");
        var watch = Stopwatch.StartNew();
        var baseline = EdgeState();
        var logsAtStart = fixture.Edges.Select(e => e.Logs.Lines.Count).ToList();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true) - CapturedLogBytes();

        // Legal games at a few tables, 4 players each over both edges; each player also has a hostile second connection.
        var tables = new List<(string RoomId, List<GameClient> Players)>();
        for (var t = 0; t < Tables; t++)
        {
            var players = new List<GameClient>();
            for (var p = 0; p < 4; p++)
            {
                players.Add(await GameClient.SignInAsync(p % 2 == 0 ? fixture.Edge1 : fixture.Edge2, $"legal{t}{p}"));
            }

            var room = await players[0].InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"fuzz table {t}", 4));
            foreach (var player in players)
            {
                await player.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            }

            await players[0].InvokeAsync<TableView>("StartGame", room.RoomId);
            tables.Add((room.RoomId, players));
        }

        var roomIds = tables.Select(t => t.RoomId).ToList();
        var fuzzers = new List<Fuzzer>();
        var random = new Random(seed);
        foreach (var (roomId, players) in tables)
        {
            foreach (var player in players)
            {
                fuzzers.Add(new Fuzzer(Edge(random), player.Token, player.PlayerId, roomId, roomIds, random.Next()));
            }
        }

        for (var i = 0; i < Outsiders; i++)
        {
            var edge = Edge(random);
            var guest = await edge.SignInAsync($"outsider{i}");
            fuzzers.Add(new Fuzzer(edge, guest.Token, guest.PlayerId, null, roomIds, random.Next()));
        }

        for (var i = 0; i < Anonymous; i++)
        {
            fuzzers.Add(new Fuzzer(Edge(random), null, null, null, roomIds, random.Next()));
        }

        using var stopPlaying = new CancellationTokenSource();
        var games = tables.Select(t => PlayWhileFuzzedAsync(t.Players, t.RoomId, stopPlaying.Token)).ToList();
        var share = Invocations / fuzzers.Count;
        await Task.WhenAll(fuzzers.Select((f, i) => f.RunAsync(i < Invocations % fuzzers.Count ? share + 1 : share)));
        await stopPlaying.CancelAsync();
        int moves;
        try
        {
            moves = (await Task.WhenAll(games)).Sum();
        }
        finally
        {
            // Why a legal call failed, if one did: the edges' word on what they repeated and what they answered unavailable.
            WriteRepeatsAndUnavailable(logsAtStart);
        }

        var outcomes = fuzzers.SelectMany(f => f.Outcomes).ToList();
        var byOutcome = outcomes.GroupBy(o => o.Outcome).OrderByDescending(g => g.Count()).ToList();
        output.WriteLine($"{outcomes.Count} invocations from {fuzzers.Count} connections ({fuzzers.Sum(f => f.Connections)} opened) in {watch.Elapsed.TotalSeconds:F1} s; legal moves meanwhile: {moves}");
        foreach (var group in byOutcome)
        {
            output.WriteLine($"  {group.Key,-28} {group.Count(),6}   ({string.Join(", ", group.GroupBy(o => o.Kind).OrderByDescending(k => k.Count()).Select(k => $"{k.Key} {k.Count()}"))})");
        }

        // Every invocation: a result, a contract error code, or (after a message over the limit) a closed connection.
        Assert.Equal(Invocations, outcomes.Count);
        Assert.Empty(outcomes.Where(o => o.Outcome.StartsWith("violation", StringComparison.Ordinal)).Select(o => $"{o.Kind} {o.Method}: {o.Detail}"));
        Assert.All(outcomes.Where(o => o.Kind == "over limit"), o => Assert.StartsWith("closed", o.Outcome, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.Kind != "over limit"), o => Assert.False(o.Outcome.StartsWith("closed", StringComparison.Ordinal), $"{o.Kind} {o.Method} closed the connection: {o.Detail}"));
        Assert.True(outcomes.Count(o => o.Outcome == ErrorCodes.BadRequest) > Invocations / 10, "too few invocations reached the hub's argument checks");
        Assert.True(outcomes.Count(o => o.Outcome == ErrorCodes.RateLimited) < Invocations / 10, "too many invocations were rate limited to say much");

        // No client ever received an exception's type name or a stack trace.
        var texts = fuzzers.SelectMany(f => f.ReceivedTexts).Concat(tables.SelectMany(t => t.Players).SelectMany(p => p.RawEvents).Select(e => e.GetRawText())).ToList();
        output.WriteLine($"texts received and checked for exception details: {texts.Count} ({texts.Sum(t => (long)t.Length):N0} characters)");
        var leaked = texts.Where(t => Leaks.Any(leak => t.Contains(leak, StringComparison.Ordinal))).Take(5).ToList();
        Assert.True(leaked.Count == 0, "exception details reached a client: " + string.Join(" | ", leaked));

        // Each table: 52 distinct cards across hands, stock and discard pile in storage; every seated client's view and
        // events agree with storage and with one another.
        foreach (var (roomId, players) in tables)
        {
            await AssertTableIntactAsync(roomId, players);
        }

        foreach (var client in tables.SelectMany(t => t.Players))
        {
            await client.DisposeAsync();
        }

        foreach (var fuzzer in fuzzers)
        {
            await fuzzer.DisposeAsync();
        }

        // What this test itself kept (texts, outcomes) must not count as the edges' memory.
        texts.Clear();
        outcomes.Clear();
        byOutcome.Clear();
        fuzzers.Clear();

        // Edge memory: the per-connection structures return to what they were (the edges share this process with the
        // silos and the test, so their own bookkeeping is the meaningful measure); the whole heap stays within a bound.
        // (Connections other tests left open may close meanwhile, so the counts may end below the baseline, not above.)
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!AtMost(EdgeState(), baseline) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(AtMost(EdgeState(), baseline), $"edge state {EdgeState()} did not return to {baseline}");
        var logs = CapturedLogBytes();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true) - logs;
        output.WriteLine($"captured log lines (test infrastructure, not counted): {logs / 1048576.0:F1} MiB");
        var growth = (heapAfter - heapBefore) / 1024.0 / 1024.0;
        output.WriteLine($"edge state (connections, players, seated, hub connections per edge) {Show(EdgeState())}, at start {Show(baseline)}; managed heap of the whole test process {heapBefore / 1048576.0:F1} -> {heapAfter / 1048576.0:F1} MiB ({growth:+0.0;-0.0} MiB); {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(growth < 32, $"the heap grew by {growth:F1} MiB over {Invocations} invocations");
    }

    /// <summary>
    /// Per edge, of the lines logged since <paramref name="logsAtStart"/>: hedged repeats, requests answered unavailable
    /// (with the failure behind it) and table calls not delivered (a dropped route).
    /// </summary>
    private void WriteRepeatsAndUnavailable(List<int> logsAtStart)
    {
        foreach (var (edge, i) in fixture.Edges.Select((e, i) => (e, i)))
        {
            var lines = edge.Logs.Lines.Skip(logsAtStart[i]).ToList();
            var repeats = lines.Count(l => l.Contains("HedgedCalls", StringComparison.Ordinal));
            var notable = lines.Where(l => l.Contains("the cluster is unavailable", StringComparison.Ordinal)
                || (l.Contains("RequestRunner: ", StringComparison.Ordinal) && l.StartsWith("Error", StringComparison.Ordinal))
                || l.Contains("was not delivered", StringComparison.Ordinal)
                || l.Contains("Lost the direct connection", StringComparison.Ordinal)).ToList();
            output.WriteLine($"edge {i + 1}: {repeats} hedged repeats logged; {notable.Count} requests answered unavailable or table calls not delivered");
            foreach (var line in notable.Take(10))
            {
                output.WriteLine("  " + line);
            }
        }
    }

    /// <summary>The test edges keep every log line they write (<see cref="LogCapture"/>): test memory, not the edge's.</summary>
    private long CapturedLogBytes() => fixture.Edges.Sum(e => e.Logs.Lines.Sum(line => 2L * line.Length + 64));

    private EdgeServer Edge(Random random) => random.Next(2) == 0 ? fixture.Edge1 : fixture.Edge2;

    /// <summary>Per edge: local connections, players, seated players, hub connections.</summary>
    private List<int[]> EdgeState() => [.. fixture.Edges.Select(e =>
    {
        var players = e.Services.GetRequiredService<LocalPlayers>();
        var seated = e.Services.GetRequiredService<TableSeats>().SeatedPlayerCount();
        return new[] { players.TotalConnections, players.PlayerCount, seated, e.Services.GetRequiredService<GameHubLifetimeManager>().Count };
    })];

    private static string Show(List<int[]> state) => string.Join(" / ", state.Select(s => string.Join(",", s)));

    private static bool AtMost(List<int[]> state, List<int[]> baseline) => state.Zip(baseline).All(p => p.First.Zip(p.Second).All(v => v.First <= v.Second));

    /// <summary>
    /// What a legal player may meet when a hostile connection of the same player (or the turn timer) acts between its
    /// look at the table and its move: the move is refused with one of these and changes nothing. Any other failure,
    /// and any failed assertion, fails the test.
    /// </summary>
    private static readonly string[] RaceCodes =
        [ErrorCodes.NotYourTurn, ErrorCodes.CardNotInHand, ErrorCodes.IllegalCard, ErrorCodes.GameNotStarted, ErrorCodes.GameInProgress];

    /// <summary>Plays legal moves (and new games) at one table until stopped; hostile invocations of the same players may move too.</summary>
    private static async Task<int> PlayWhileFuzzedAsync(IReadOnlyList<GameClient> players, string roomId, CancellationToken stop)
    {
        var moves = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var view = await players[0].InvokePatientlyAsync<TableView>("GetTable", roomId);
                if (view.Phase != Phases.Playing)
                {
                    await players[0].InvokePatientlyAsync<TableView>("StartGame", roomId);
                    continue;
                }

                var mover = players.Single(p => p.PlayerId == view.Turn);
                var own = await mover.InvokePatientlyAsync<TableView>("GetTable", roomId);
                // One snapshot: its hand and its hand count agree whatever happened before it.
                Assert.Equal(own.Players.Single(p => p.PlayerId == mover.PlayerId).HandCount, own.Hand!.Count);
                if (own.Phase != Phases.Playing || own.Turn != mover.PlayerId)
                {
                    continue; // the turn moved on between the two looks
                }

                var after = MoveChooser.ChoosePut(own) is { } put
                    ? await mover.InvokePatientlyAsync<TableView>("PutCard", roomId, put.Card, put.Suit)
                    : await mover.InvokePatientlyAsync<TableView>("TakeCard", roomId);
                Assert.True(after.Seq > own.Seq, $"an acknowledged move at seq {own.Seq} answered with seq {after.Seq}");
                moves++;
            }
            catch (HubException ex) when (GameError.FromHubMessage(ex.Message) is { } error && RaceCodes.Contains(error.Code))
            {
                // A hostile connection of the same player moved first, or the game just ended: look again.
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return moves;
    }

    private async Task AssertTableIntactAsync(string roomId, IReadOnlyList<GameClient> players)
    {
        var stored = await StoredTables.ReadAsync(fixture.Redis, roomId);
        var game = stored.Game!;
        var cards = game.Hands.Values.SelectMany(h => h).Concat(game.Stock).Concat(game.DiscardPile).Select(c => c.ToString()).ToList();
        Assert.Equal(52, cards.Count);
        Assert.Equal(52, cards.Distinct().Count());

        foreach (var player in players)
        {
            await player.WaitForSeqAsync(roomId, stored.Seq);
            var view = await player.InvokePatientlyAsync<TableView>("GetTable", roomId);
            Assert.Equal(stored.Seq, view.Seq);
            Assert.Equal(game.Stock.Count, view.StockCount);
            Assert.Equal(game.TopCard?.ToString(), view.TopCard);
            Assert.Equal(game.Hands.GetValueOrDefault(player.PlayerId!, []).Select(c => c.ToString()).Order(), view.Hand!.Order());
            Assert.Equal(game.Players.Select(p => game.Hands[p].Count), view.Players.Select(p => p.HandCount));
            var seqs = player.EventsOf(roomId).Select(e => e.Seq).ToList();
            Assert.Equal(GameTests.LongRange(seqs[0], stored.Seq), seqs);
        }
    }

    /// <summary>One hostile client: a connection (reopened after the server closes it), and what it sent and received.</summary>
    private sealed class Fuzzer(EdgeServer edge, string? token, string? playerId, string? ownRoom, IReadOnlyList<string> rooms, int seed) : IAsyncDisposable
    {
        private static readonly string[] NotCards = ["", " ", "1H", "11S", "QX", "qs", "10h", "8", "AS ", "0C", "KK", "♠A", "10HH", "null", "JOKER", "A", "AAAAAAAAAA"];
        private static readonly string[] BadRoomIds = ["", " ", "../../etc/passwd", "r<script>", "'; DROP TABLE rooms; --", "rö", "r\u0000x", "r\ud800", "%00", "r r", new string('r', 65), "r" + new string('9', 64)];

        private readonly Random _random = new(seed);
        private readonly ConcurrentQueue<string> _texts = new();
        private GameClient? _client;

        public List<(string Kind, string Method, string Outcome, string Detail)> Outcomes { get; } = [];

        public int Connections { get; private set; }

        public IEnumerable<string> ReceivedTexts => _texts.Concat(_client?.RawEvents.Select(e => e.GetRawText()) ?? []);

        public async Task RunAsync(int count)
        {
            while (Outcomes.Count < count)
            {
                var started = Stopwatch.GetTimestamp();
                if (_client is null || _client.Closed.IsCompleted)
                {
                    await ReconnectAsync();
                }

                var (kind, method, args) = Next();
                if (kind == "burst")
                {
                    // 50 at once from one connection: past the burst of 40, some must be rate limited.
                    var burst = Enumerable.Range(0, Math.Min(50, count - Outcomes.Count)).Select(_ => InvokeAsync(kind, "ListRooms", [])).ToList();
                    Outcomes.AddRange((await Task.WhenAll(burst)).Select(Deadline));
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    continue;
                }

                Outcomes.Add(Deadline(await InvokeAsync(kind, method, args)));
                var left = Pace - Stopwatch.GetElapsedTime(started);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left);
                }
            }
        }

        /// <summary>
        /// An anonymous connection that has not authenticated is closed at the edge's authentication deadline (10 s)
        /// with <c>auth_required</c>: expected of an anonymous fuzzer, a failure for any other.
        /// </summary>
        private (string Kind, string Method, string Outcome, string Detail) Deadline((string Kind, string Method, string Outcome, string Detail) outcome) =>
            token is null && outcome.Outcome == "closed: " + ErrorCodes.AuthRequired ? outcome with { Outcome = "deadline: " + ErrorCodes.AuthRequired } : outcome;

        private async Task ReconnectAsync()
        {
            if (_client is not null)
            {
                foreach (var raw in _client.RawEvents)
                {
                    _texts.Enqueue(raw.GetRawText());
                }

                await _client.DisposeAsync();
            }

            _client = await GameClient.ConnectAsync(edge, token, playerId);
            Connections++;
        }

        private async Task<(string Kind, string Method, string Outcome, string Detail)> InvokeAsync(string kind, string method, object?[] args)
        {
            var client = _client!;
            try
            {
                var result = await client.Connection.InvokeCoreAsync(method, typeof(JsonElement), args);
                _texts.Enqueue(result is JsonElement json ? json.GetRawText() : "");
                return (kind, method, "ok", "");
            }
            catch (HubException ex)
            {
                _texts.Enqueue(ex.Message);
                var closing = ex.Message.StartsWith(ClosedPrefix, StringComparison.Ordinal);
                if (closing)
                {
                    // The close fails the invocation before the client reports Closed: wait, so the next one reconnects.
                    await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));
                }

                var text = closing ? ex.Message[ClosedPrefix.Length..] : ex.Message;
                var code = GameError.FromHubMessage(text)?.Code;
                return code is null
                    ? (kind, method, "violation: no code", ex.Message)
                    : (kind, method, closing ? "closed: " + code : code, ex.Message);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException)
            {
                // The connection closed under the invocation: what the server said when it closed counts.
                var closed = await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));
                var reason = closed?.Message ?? "";
                _texts.Enqueue(reason);
                var text = reason.StartsWith(ClosedPrefix, StringComparison.Ordinal) ? reason[ClosedPrefix.Length..] : reason;
                var code = GameError.FromHubMessage(text)?.Code;
                return (kind, method, closed is null ? "closed: no reason" : code is null ? "violation: close without code" : "closed: " + code, $"{ex.GetType().Name}: {reason}");
            }
        }

        private (string Kind, string Method, object?[] Args) Next()
        {
            var room = _random.Next(4) == 0 ? ownRoom ?? Pick(rooms) : Pick(rooms);
            var otherRoom = Pick(rooms.Where(r => r != ownRoom).ToList());
            return _random.Next(17) switch
            {
                0 => ("unknown method", Pick(["Hack", "GetTables", "Authenticate2", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "ToString", "GetHashCode", " ", "PutCard ", "get-table", RandomName()]), RandomArgs(_random.Next(4))),
                1 => WrongCount(),
                2 => ("wrong types", Pick(Methods), Enumerable.Range(0, _random.Next(1, 4)).Select(_ => RandomValue(2)).ToArray()),
                3 => ("nulls", Pick(Methods), Enumerable.Repeat<object?>(null, _random.Next(1, 5)).ToArray()),
                4 => ("near limit", Pick(Methods), [new string('r', _random.Next(28_000, 31_500)), "QS", null]),
                5 when _random.Next(6) == 0 => ("over limit", Pick(Methods), [new string('x', _random.Next(33_000, 70_000))]),
                5 => ("deep nesting", Pick(Methods), [Nested(_random.Next(20, 60))]),
                6 or 7 => ("bad room id", Pick(["JoinRoom", "StartGame", "TakeCard", "LeaveRoom", "GetTable"]), [Pick(BadRoomIds)]),
                8 => ("unknown room", Pick(["JoinRoom", "GetTable", "TakeCard", "StartGame"]), ["r" + RandomName().ToLowerInvariant()]),
                9 => ("not a card", "PutCard", [room, Pick(NotCards), Pick(["C", "X", "", null, "hearts", "8", null])]),
                10 => ("out of turn or not held", "PutCard", [ownRoom ?? room, RandomCard(), _random.Next(3) == 0 ? SuitNames.ToWire((Suit)_random.Next(4)) : null]),
                11 => ("out of turn", "TakeCard", [ownRoom ?? room, _random.Next(2) == 0 ? null : RandomName()]),
                12 => OtherTable(otherRoom),
                13 => ("other table move", "PutCard", [otherRoom, RandomCard(), null]),
                14 => ("create room", "CreateRoom", [new Dictionary<string, object?> { ["name"] = Pick<string?>(["", null, new string('n', 41), "a\u0001b", "ok room", RandomName()]), ["seats"] = Pick<object?>([-1, 0, 1, 7, 100, "4", null, 4]), ["extra"] = RandomValue(1) }]),
                15 => ("bad token", "Authenticate", [Pick<string?>(["", "abc", "a.b.c", new string('e', 9000), TestTokens.Create("someone", key: "another-signing-key-0123456789-abcdefghijklmnop"), TestTokens.Create(TestTokens.NewPlayerId()), TestTokens.Create("expired", expires: DateTime.UtcNow.AddMinutes(-5)), null])]),
                _ when _random.Next(60) == 0 => ("burst", "ListRooms", []),
                _ => ("resume", "Resume", [room, Pick<object?>([-1L, long.MaxValue, 0L, "zero", 1.5, null])]),
            };
        }

        private (string, string, object?[]) OtherTable(string otherRoom)
        {
            var method = Pick(["TakeCard", "StartGame", "GetTable", "Resume", "JoinRoom"]);
            return ("other table", method, method == "Resume" ? [otherRoom, 0L] : [otherRoom]);
        }

        private (string, string, object?[]) WrongCount()
        {
            var method = Pick(Methods);
            var expected = method switch { "ListRooms" => 0, "PutCard" => 4, "TakeCard" or "Resume" => 2, _ => 1 };
            var count = _random.Next(0, 6);
            // TakeCard and PutCard may leave out their last argument (moveId).
            return count == expected || (method is "TakeCard" or "PutCard" && count == expected - 1)
                ? ("wrong count", method, RandomArgs(expected + 2))
                : ("wrong count", method, RandomArgs(count));
        }

        private object?[] RandomArgs(int count) => Enumerable.Range(0, count).Select(_ => RandomValue(2)).ToArray();

        private object? RandomValue(int depth) => _random.Next(depth > 0 ? 9 : 6) switch
        {
            0 => null,
            1 => _random.Next(int.MinValue, int.MaxValue),
            2 => _random.Next(2) == 0,
            3 => RandomName(),
            4 => _random.NextDouble() * 1e300,
            5 => RandomCard(),
            6 => new Dictionary<string, object?> { [RandomName()] = RandomValue(depth - 1), ["roomId"] = RandomValue(depth - 1) },
            7 => Enumerable.Range(0, _random.Next(5)).Select(_ => RandomValue(depth - 1)).ToList(),
            _ => new[] { RandomCard(), RandomCard() },
        };

        private static object Nested(int depth)
        {
            object value = "deep";
            for (var i = 0; i < depth; i++)
            {
                value = new List<object> { value };
            }

            return value;
        }

        private string RandomCard() => Card.FullDeck[_random.Next(Card.FullDeck.Count)].ToString();

        // Letters and digits only: the server may echo names back, and these never spell a leak marker.
        private string RandomName() => new([.. Enumerable.Range(0, _random.Next(1, 12)).Select(_ => "abcdefghkmnpqrtuvwxyzABCDFGHJKLMNPQRTUVWXYZ23456789"[_random.Next(50)])]);

        private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

        public async ValueTask DisposeAsync()
        {
            if (_client is not null)
            {
                await _client.DisposeAsync();
                _client = null;
            }

            _texts.Clear();
            Outcomes.Clear();
        }
    }
}
