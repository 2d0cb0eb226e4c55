using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CardGame.Contracts.Fairness;
using CardGame.Grains.Rules;
using CardGame.TestSupport;
using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// Hidden information over 200 complete 4-player bot games on both edges: every payload each client received (events,
/// and the results of its own invocations, as raw JSON) is checked against the truth. The truth comes from storage and
/// the rules: the table's stored state right after each deal (hands, stock order and the secret seed of the fair
/// shuffle, confirmed by dealing again), and every later state replayed from the events and compared with what the
/// table stored at the end. No part of a seed appears in any payload but the game's <c>finished</c> event, which
/// reveals exactly it; and every player verifies every game's shuffle with the shared verifier. Each table also has a
/// spectator (watching from an edge) and a prober who sits nowhere and calls GetTable and Resume during every game:
/// neither may ever see a card that is not face up.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed partial class HiddenInformationTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private const int Games = 200;
    private const int Tables = 40;

    [Fact]
    public async Task Over_200_bot_games_no_payload_shows_another_players_card_the_stock_or_the_seed_before_the_end_and_every_shuffle_verifies_to_players_spectators_and_onlookers()
    {
        var watch = Stopwatch.StartNew();
        var tables = await Task.WhenAll(Enumerable.Range(0, Tables).Select(t => PlayGamesAsync(t, Games / Tables)));
        var played = watch.Elapsed;

        var games = tables.SelectMany(t => t.Games).ToList();
        Assert.Equal(Games, games.Count);
        Assert.All(games, g => Assert.NotNull(g.Final.Winner));
        long payloads = 0, bytes = 0, cardsSeen = 0, verified = 0;
        var violations = new List<string>();
        foreach (var table in tables)
        {
            var truth = Replay(table);
            var secrets = Secrets(table);
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

                if (table.Clients.Contains(client))
                {
                    verified += Verify(table, client.Client, violations);
                }
            }
        }

        var spectatorEvents = tables.Sum(t => t.Onlookers[0].Client.EventsOf(t.RoomId).Count);
        foreach (var table in tables)
        {
            // The spectator got every event from the one after its view to the end, in order. Events up to its view's seq
            // may come too, before or after the view (the protocol tells clients to ignore them): its edge may already
            // follow the room for players seated there, with their last join still on its way (seen at load 53-60).
            var seqs = table.Onlookers[0].Client.EventsOf(table.RoomId).Select(e => e.Seq).Where(s => s > table.WatchedAt).ToList();
            Assert.Equal(GameTests.LongRange(table.WatchedAt + 1, table.Games[^1].EndSeq), seqs);
        }

        output.WriteLine($"spectators received {spectatorEvents:N0} events; onlookers made {2 * games.Count} GetTable/Resume calls during games");

        output.WriteLine($"{games.Count} games at {Tables} tables ({games.Sum(g => g.EndSeq - g.StartSeq)} events) played in {played.TotalSeconds:F1} s; " +
            $"checked {payloads:N0} payloads ({bytes:N0} bytes, {cardsSeen:N0} cards shown, each against the true hands, stock and discard pile; " +
            $"{games.Count} seeds, none shown before its game finished, each revealed by its finished event; {verified} shuffles verified by their players) " +
            $"in {watch.Elapsed.TotalSeconds:F1} s total");
        foreach (var client in tables.SelectMany(t => t.Clients.Concat(t.Onlookers)))
        {
            await client.Client.DisposeAsync();
        }

        Assert.True(violations.Count == 0, $"{violations.Count} leaks, e.g.: {string.Join(" | ", violations.Take(5))}");
        Assert.True(cardsSeen > payloads, "the check saw too few cards to mean anything");
        Assert.Equal(Games * 4, verified);
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
            ConfirmSeed(initial.Game!);
            var probed = false;
            var seats = view.Players.Select(p => p.PlayerId).ToList();
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
            run.Games.Add(new GameRun(initial.Seq, final.Seq, initial.Game!, final.Game!, seats));
        }

        return run;
    }

    /// <summary>The stored seed is the one the table dealt with: dealing again with it gives the stored game.</summary>
    private static void ConfirmSeed(CrazyEightsGame dealt)
    {
        Assert.True(FairShuffle.TryParseSeed(dealt.Seed, out var seed), $"the stored seed '{dealt.Seed}' is not a fair-shuffle seed");
        Assert.Equal(FairShuffle.SeedBytes, seed.Length);
        var again = CrazyEights.Deal(dealt.Players, seed);
        Assert.Equal(dealt.Stock, again.Stock);
        Assert.Equal(dealt.DiscardPile, again.DiscardPile);
        Assert.All(dealt.Players, p => Assert.Equal(dealt.Hands[p], again.Hands[p]));
    }

    /// <summary>
    /// What must not be shown before a game's end, by its finished seq: every 8-byte window of the seed in hex (so half
    /// a seed is found too) and the whole seed in base64.
    /// </summary>
    private static TableSecrets Secrets(TableRun table)
    {
        var windows = new Dictionary<string, long>();
        var base64 = new Dictionary<string, long>();
        foreach (var run in table.Games)
        {
            var hex = run.Initial.Seed!;
            for (var i = 0; i + 16 <= hex.Length; i++)
            {
                windows[hex.Substring(i, 16)] = run.EndSeq;
            }

            base64[Convert.ToBase64String(Convert.FromHexString(hex))] = run.EndSeq;
        }

        return new TableSecrets(windows, base64, table.Games.ToDictionary(g => g.EndSeq, g => g.Initial.Seed!));
    }

    /// <summary>Each of the player's games verifies with the shared verifier, from the events that player received.</summary>
    private static int Verify(TableRun table, GameClient client, List<string> violations)
    {
        var events = client.EventsOf(table.RoomId);
        var count = 0;
        foreach (var run in table.Games)
        {
            var game = events.Where(e => e.Seq >= run.StartSeq && e.Seq <= run.EndSeq).OrderBy(e => e.Seq).ToList();
            var check = FairShuffleVerifier.Verify(run.Seats, game, client.PlayerId);
            if (check.Verified)
            {
                count++;
            }
            else
            {
                violations.Add($"{client.PlayerId} could not verify the game of seq {run.StartSeq}–{run.EndSeq}: {check.Problem}");
            }
        }

        return count;
    }

    /// <summary>Every state of every game, by seq: who holds what and what lies face up. Also checks the replay against storage.</summary>
    private static Dictionary<long, (Dictionary<string, HashSet<string>> Hands, HashSet<string> Public)> Replay(TableRun table)
    {
        var states = new Dictionary<long, (Dictionary<string, HashSet<string>>, HashSet<string>)>();
        var events = table.Clients[0].Client.EventsOf(table.RoomId);
        foreach (var run in table.Games)
        {
            var game = run.Initial.Clone();
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
                states[e.Seq] = Snapshot(game);
            }

            Assert.Equal(run.Final.Stock, game.Stock);
            Assert.Equal(run.Final.DiscardPile, game.DiscardPile);
            Assert.Equal(run.Final.Seed, game.Seed);
            Assert.Equal(run.Final.Reshuffles, game.Reshuffles);
            Assert.All(game.Players, p => Assert.Equal(run.Final.Hands[p], game.Hands[p]));
        }

        return states;
    }

    private static (Dictionary<string, HashSet<string>>, HashSet<string>) Snapshot(CrazyEightsGame game) =>
        (game.Hands.ToDictionary(h => h.Key, h => h.Value.Select(c => c.ToString()).ToHashSet()), game.DiscardPile.Select(c => c.ToString()).ToHashSet());

    /// <summary>
    /// Checks one payload a player received: every card named anywhere in it (in any string) is the player's own at that
    /// seq or face up; no part of a seed appears in it, but for the game's <c>finished</c> event, whose
    /// <c>deckSeed</c> must be the stored seed. Returns the number of cards it named.
    /// </summary>
    private static int Check(string raw, string playerId, TableSecrets secrets, Dictionary<long, (Dictionary<string, HashSet<string>> Hands, HashSet<string> Public)> truth, List<string> violations)
    {
        using var json = JsonDocument.Parse(raw);
        var root = json.RootElement;
        var scanned = raw;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var kind) && kind.GetString() == EventKinds.Finished)
        {
            var revealed = root.TryGetProperty("deckSeed", out var d) ? d.GetString() : null;
            var expected = secrets.Revealed.GetValueOrDefault(root.GetProperty("seq").GetInt64());
            if (revealed is null || revealed != expected)
            {
                violations.Add($"{playerId} received a finished event revealing '{revealed}' instead of the seed {expected}: {raw}");
            }

            scanned = revealed is null ? raw : raw.Replace(revealed, "", StringComparison.Ordinal);
        }

        // Any run of hex digits long enough to hold half a seed, searched at every offset.
        foreach (var run in HexRun().Matches(scanned).Select(m => m.Value.ToLowerInvariant()))
        {
            for (var i = 0; i + 16 <= run.Length; i++)
            {
                if (secrets.HexWindows.TryGetValue(run.Substring(i, 16), out var until))
                {
                    violations.Add($"{playerId} received part of the seed of the game finishing at seq {until}: {raw}");
                }
            }
        }

        foreach (var (_, until) in secrets.Base64.Where(b => scanned.Contains(b.Key, StringComparison.Ordinal)))
        {
            violations.Add($"{playerId} received the seed of the game finishing at seq {until} in base64: {raw}");
        }

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

    [GeneratedRegex("[0-9A-Fa-f]{16,}")]
    private static partial Regex HexRun();

    [GeneratedRegex("(?<![0-9A-Z])(?:10|[2-9AJQK])[CDHS](?![0-9A-Z])")]
    private static partial Regex CardPattern();

    private sealed record GameRun(long StartSeq, long EndSeq, CrazyEightsGame Initial, CrazyEightsGame Final, IReadOnlyList<string> Seats);

    private sealed record TableRun(string RoomId, List<RecordingClient> Clients, List<RecordingClient> Onlookers, long WatchedAt)
    {
        public List<GameRun> Games { get; } = [];
    }

    /// <summary>A table's seeds: 8-byte hex windows and base64, each with the seq of its game's finished event; the seed revealed at each finished seq.</summary>
    private sealed record TableSecrets(Dictionary<string, long> HexWindows, Dictionary<string, long> Base64, Dictionary<long, string> Revealed);

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
                catch (HubException ex) when (ex.Message.StartsWith(ErrorCodes.RateLimited + ": ", StringComparison.Ordinal) && attempt < 40)
                {
                    await Task.Delay(250);
                }
            }
        }
    }
}
