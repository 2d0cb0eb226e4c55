using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CardGame.Grains.Rules;
using CardGame.TestSupport;
using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// Hidden information over 200 complete 4-player bot games on both edges: every payload each client received (events,
/// and the results of its own invocations, as raw JSON) is checked against the truth. The truth comes from storage and
/// the rules: the table's stored state right after each deal (hands, stock order, shuffle generator), the shuffle seed
/// recovered from it and confirmed by dealing again, and every later state replayed from the events and compared with
/// what the table stored at the end. Each table also has a spectator (watching from an edge) and a prober who sits
/// nowhere and calls GetTable and Resume during every game: neither may ever see a card that is not face up.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed partial class HiddenInformationTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private const int Games = 200;
    private const int Tables = 40;
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    [Fact]
    public async Task Over_200_bot_games_no_payload_shows_another_players_card_the_stock_or_the_shuffle_seed_to_players_spectators_or_onlookers()
    {
        var watch = Stopwatch.StartNew();
        var tables = await Task.WhenAll(Enumerable.Range(0, Tables).Select(t => PlayGamesAsync(t, Games / Tables)));
        var played = watch.Elapsed;

        var games = tables.SelectMany(t => t.Games).ToList();
        Assert.Equal(Games, games.Count);
        Assert.All(games, g => Assert.NotNull(g.Final.Winner));
        long payloads = 0, bytes = 0, cardsSeen = 0;
        var violations = new List<string>();
        foreach (var table in tables)
        {
            var truth = Replay(table);
            var secrets = table.Secrets.SelectMany(Spellings).ToHashSet();
            foreach (var client in table.Clients.Concat(table.Onlookers))
            {
                if (client != table.Onlookers[^1])
                {
                    // Everyone but the prober, who receives no events (it neither sits nor watches), only results.
                    await client.Client.WaitForSeqAsync(table.RoomId, table.Games[^1].EndSeq);
                }

                foreach (var raw in client.Client.RawEvents.Select(e => e.GetRawText()).Concat(client.Results))
                {
                    payloads++;
                    bytes += Encoding.UTF8.GetByteCount(raw);
                    cardsSeen += Check(raw, client.Client.PlayerId!, secrets, truth, violations);
                }
            }
        }

        var spectatorEvents = tables.Sum(t => t.Onlookers[0].Client.EventsOf(t.RoomId).Count);
        foreach (var table in tables)
        {
            // The spectator got every event from the one after its view to the end, in order.
            var seqs = table.Onlookers[0].Client.EventsOf(table.RoomId).Select(e => e.Seq).ToList();
            Assert.Equal(GameTests.LongRange(table.WatchedAt + 1, table.Games[^1].EndSeq), seqs);
        }

        output.WriteLine($"spectators received {spectatorEvents:N0} events; onlookers made {2 * games.Count} GetTable/Resume calls during games");
        output.WriteLine($"{games.Count} games at {Tables} tables ({games.Sum(g => g.EndSeq - g.StartSeq)} events) played in {played.TotalSeconds:F1} s; " +
            $"checked {payloads:N0} payloads ({bytes:N0} bytes, {cardsSeen:N0} cards shown, each against the true hands, stock and discard pile; " +
            $"{tables.Sum(t => t.Secrets.Count):N0} seeds and generator states in 4 spellings each) in {watch.Elapsed.TotalSeconds:F1} s total");
        foreach (var client in tables.SelectMany(t => t.Clients.Concat(t.Onlookers)))
        {
            await client.Client.DisposeAsync();
        }

        Assert.True(violations.Count == 0, $"{violations.Count} leaks, e.g.: {string.Join(" | ", violations.Take(5))}");
        Assert.True(cardsSeen > payloads, "the check saw too few cards to mean anything");
    }

    /// <summary>One table: 4 players over both edges playing <paramref name="count"/> games in a row.</summary>
    private async Task<TableRun> PlayGamesAsync(int index, int count)
    {
        var clients = new List<RecordingClient>();
        for (var p = 0; p < 4; p++)
        {
            clients.Add(new RecordingClient(await GameClient.SignInAsync(p % 2 == 0 ? fixture.Edge1 : fixture.Edge2, $"hidden{index}x{p}")));
        }

        var room = await clients[0].CallAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"hidden {index}", 4));
        foreach (var client in clients)
        {
            await client.CallAsync<TableView>("JoinRoom", room.RoomId);
        }

        // A spectator on the edge of players 1 and 3 or of 0 and 2, and a prober who only looks, on the other.
        var spectator = new RecordingClient(await GameClient.SignInAsync(index % 2 == 0 ? fixture.Edge2 : fixture.Edge1, $"spectator{index}"));
        var prober = new RecordingClient(await GameClient.SignInAsync(index % 2 == 0 ? fixture.Edge1 : fixture.Edge2, $"prober{index}"));
        var watched = await spectator.CallAsync<TableView>("WatchRoom", room.RoomId);
        Assert.Null(watched.Hand);
        var run = new TableRun(room.RoomId, clients, [spectator, prober], watched.Seq);
        for (var g = 0; g < count; g++)
        {
            var view = await clients[g % 4].CallAsync<TableView>("StartGame", room.RoomId);
            var initial = await StoredTables.ReadAsync(fixture.Redis, room.RoomId);
            Assert.Equal(view.Seq, initial.Seq);
            var seed = RecoverSeed(initial.Game!);
            run.Secrets.Add(seed);
            var probed = false;
            while (view.Phase == Phases.Playing)
            {
                if (!probed && view.Seq >= initial.Seq + 4)
                {
                    probed = true;
                    Assert.Null((await prober.CallAsync<TableView>("GetTable", room.RoomId)).Hand);
                    await prober.CallAsync<Resumed>("Resume", room.RoomId, initial.Seq - 1);
                }

                var mover = clients.Single(c => c.Client.PlayerId == view.Turn);
                var mine = await mover.CallAsync<TableView>("GetTable", room.RoomId);
                view = MoveChooser.ChoosePut(mine) is { } put
                    ? await mover.CallAsync<TableView>("PutCard", room.RoomId, put.Card, put.Suit)
                    : await mover.CallAsync<TableView>("TakeCard", room.RoomId);
            }

            var final = await StoredTables.ReadAsync(fixture.Redis, room.RoomId);
            run.Games.Add(new GameRun(initial.Seq, final.Seq, initial.Game!, final.Game!));
        }

        return run;
    }

    /// <summary>The seed the table dealt with: the generator state after the deal, stepped back (SplitMix64 adds a constant per draw) and confirmed by dealing again.</summary>
    private static ulong RecoverSeed(CrazyEightsGame dealt)
    {
        for (ulong draws = 40; draws < 120; draws++)
        {
            var seed = unchecked(dealt.RngState - (draws * Golden));
            var again = CrazyEights.Deal(dealt.Players, seed);
            if (again.RngState == dealt.RngState && again.Stock.SequenceEqual(dealt.Stock) && again.DiscardPile.SequenceEqual(dealt.DiscardPile)
                && dealt.Players.All(p => again.Hands[p].SequenceEqual(dealt.Hands[p])))
            {
                return seed;
            }
        }

        throw new InvalidOperationException("the deal's seed could not be recovered, so it cannot be looked for");
    }

    /// <summary>Every state of every game, by seq: who holds what and what lies face up. Also checks the replay against storage.</summary>
    private static Dictionary<long, (Dictionary<string, HashSet<string>> Hands, HashSet<string> Public)> Replay(TableRun table)
    {
        var states = new Dictionary<long, (Dictionary<string, HashSet<string>>, HashSet<string>)>();
        var events = table.Clients[0].Client.EventsOf(table.RoomId);
        foreach (var run in table.Games)
        {
            var game = run.Initial.Clone();
            table.Secrets.Add(game.RngState);
            states[run.StartSeq] = Snapshot(game);
            foreach (var e in events.Where(e => e.Seq > run.StartSeq && e.Seq <= run.EndSeq))
            {
                var result = e.Kind switch
                {
                    EventKinds.Put => CrazyEights.Put(game, e.PlayerId!, e.Card, e.Kind == EventKinds.Put && e.Card![0] == '8' ? e.Suit : null),
                    EventKinds.Took => CrazyEights.Take(game, e.PlayerId!),
                    _ => null,
                };
                Assert.True(result is null || result.IsOk, $"event {e.Seq} {e.Kind} does not replay");
                table.Secrets.Add(game.RngState);
                states[e.Seq] = Snapshot(game);
            }

            Assert.Equal(run.Final.Stock, game.Stock);
            Assert.Equal(run.Final.DiscardPile, game.DiscardPile);
            Assert.Equal(run.Final.RngState, game.RngState);
            Assert.All(game.Players, p => Assert.Equal(run.Final.Hands[p], game.Hands[p]));
        }

        return states;
    }

    private static (Dictionary<string, HashSet<string>>, HashSet<string>) Snapshot(CrazyEightsGame game) =>
        (game.Hands.ToDictionary(h => h.Key, h => h.Value.Select(c => c.ToString()).ToHashSet()), game.DiscardPile.Select(c => c.ToString()).ToHashSet());

    /// <summary>
    /// Checks one payload a player received: every card named anywhere in it (in any string) is the player's own at that
    /// seq or face up; no seed or generator state appears in decimal or hex. Returns the number of cards it named.
    /// </summary>
    private static int Check(string raw, string playerId, HashSet<string> secrets, Dictionary<long, (Dictionary<string, HashSet<string>> Hands, HashSet<string> Public)> truth, List<string> violations)
    {
        // Any run of hex digits long enough to hold a 64-bit number, searched at every offset for every spelling.
        foreach (var run in HexRun().Matches(raw).Select(m => m.Value.ToLowerInvariant()))
        {
            for (var length = 12; length <= Math.Min(20, run.Length); length++)
            {
                for (var i = 0; i + length <= run.Length; i++)
                {
                    if (secrets.Contains(run.Substring(i, length)))
                    {
                        violations.Add($"{playerId} received the shuffle seed or generator state {run.Substring(i, length)}: {raw}");
                    }
                }
            }
        }

        using var json = JsonDocument.Parse(raw);
        var root = json.RootElement;
        var seq = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : (long?)null;
        var cards = Strings(root).SelectMany(text => CardPattern().Matches(text).Select(m => m.Value)).ToList();
        if (cards.Count == 0)
        {
            return 0;
        }

        if (seq is null || !truth.TryGetValue(seq.Value, out var state))
        {
            violations.Add($"{playerId} received cards outside any game: {raw}");
            return cards.Count;
        }

        foreach (var card in cards.Where(c => !state.Public.Contains(c) && !state.Hands.GetValueOrDefault(playerId, []).Contains(c)))
        {
            var holder = state.Hands.FirstOrDefault(h => h.Value.Contains(card)).Key ?? "the stock";
            violations.Add($"{playerId} received {card} held by {holder} at seq {seq}: {raw}");
        }

        return cards.Count;
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Append(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    /// <summary>Decimal (unsigned, and signed without its minus) and hex (with and without leading zeros), lower case.</summary>
    private static string[] Spellings(ulong value) =>
    [
        value.ToString(CultureInfo.InvariantCulture),
        unchecked((long)value).ToString(CultureInfo.InvariantCulture).TrimStart('-'),
        value.ToString("x", CultureInfo.InvariantCulture),
        value.ToString("x16", CultureInfo.InvariantCulture),
    ];

    [GeneratedRegex("[0-9A-Fa-f]{12,}")]
    private static partial Regex HexRun();

    [GeneratedRegex("(?<![0-9A-Z])(?:10|[2-9AJQK])[CDHS](?![0-9A-Z])")]
    private static partial Regex CardPattern();

    private sealed record GameRun(long StartSeq, long EndSeq, CrazyEightsGame Initial, CrazyEightsGame Final);

    private sealed record TableRun(string RoomId, List<RecordingClient> Clients, List<RecordingClient> Onlookers, long WatchedAt)
    {
        public List<GameRun> Games { get; } = [];

        public HashSet<ulong> Secrets { get; } = [];
    }

    /// <summary>A client that also keeps the raw JSON of every result it received.</summary>
    private sealed class RecordingClient(GameClient client)
    {
        private readonly ConcurrentQueue<string> _results = new();

        public GameClient Client { get; } = client;

        public IEnumerable<string> Results => _results;

        public async Task<T> CallAsync<T>(string method, params object?[] args)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var raw = (JsonElement)(await Client.Connection.InvokeCoreAsync(method, typeof(JsonElement), args))!;
                    // A Resumed is checked as the events and the view it holds, each at its own seq.
                    var parts = raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty("events", out var events)
                        ? (events.ValueKind == JsonValueKind.Array ? events.EnumerateArray() : Enumerable.Empty<JsonElement>())
                            .Append(raw.GetProperty("view")).Where(e => e.ValueKind != JsonValueKind.Null)
                        : [raw];
                    foreach (var part in parts)
                    {
                        _results.Enqueue(part.GetRawText());
                    }

                    return raw.Deserialize<T>(JsonSerializerOptions.Web)!;
                }
                catch (HubException ex) when (GameError.FromHubMessage(ex.Message)?.Code == ErrorCodes.RateLimited && attempt < 40)
                {
                    await Task.Delay(250);
                }
            }
        }
    }
}
