using System.Reflection;
using System.Text;
using System.Text.Json;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Orleans.Storage;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Tables;

/// <summary>
/// A table's state is stored by <see cref="TableStateJson"/> and read by System.Text.Json: the bytes must be exactly
/// the ones System.Text.Json writes with Orleans' storage options (as every earlier version stored them), so an older
/// silo in a rolling upgrade reads them, and they read back to the same state.
/// </summary>
public sealed class TableStateJsonTests
{
    private static readonly SystemTextJsonGrainStorageSerializer Json = new(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));
    private static readonly GameStateStorageSerializer Storage = new(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));

    private static readonly Type[] StoredTypes = [typeof(TableState), typeof(SeatState), typeof(CrazyEightsGame)];

    [Fact]
    public void Every_state_of_random_games_is_written_as_the_bytes_System_Text_Json_writes_and_reads_back_the_same()
    {
        var states = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            foreach (var state in RandomTable(seed))
            {
                AssertSameBytes(state);
                states++;
            }
        }

        Assert.True(states > 1000, $"only {states} states compared");
    }

    [Fact]
    public void Names_and_ids_needing_escapes_nulls_and_extreme_numbers_are_written_as_System_Text_Json_writes_them()
    {
        string[] awkward = ["", "a\"b\\c", "<script>&'+`", "é ü ß 中文", "emoji 🂡", "tab\tnew\nline\u0001", "\u2028\u2029", new string('x', 300)];
        foreach (var text in awkward)
        {
            var game = CrazyEights.Deal(["p" + text, "p2"], Seed(7));
            game.Seed = text;
            game.Winner = text;
            game.RngState = ulong.MaxValue;
            var state = new TableState
            {
                Exists = true,
                Name = text,
                CreatorId = text,
                Seats = int.MaxValue,
                Seq = long.MinValue,
                Phase = text,
                Players = [new SeatState { PlayerId = text, Name = text, Connected = false, DisconnectedAt = new DateTimeOffset(2026, 11, 30, 23, 59, 59, 123, TimeSpan.FromHours(-9.5)).AddTicks(4567) }, null!],
                Game = game,
                TurnStartedAt = DateTimeOffset.MinValue,
                GamesDealt = -1,
                AppliedMoves = new() { [text] = [text, null!, "m1"], ["none"] = null! },
                CreatedAt = DateTimeOffset.MaxValue,
                QuickPlay = true,
                MoveDigests = new() { [text] = text, ["none"] = null! },
            };
            AssertSameBytes(state);
        }

        AssertSameBytes(new TableState());
        // Nulls where the types have none (left out, read back as the types' defaults): written as before all the same.
        AssertSameBytes(new TableState { Name = null!, CreatorId = null!, Phase = null!, Players = null!, AppliedMoves = null!, MoveDigests = null! }, readsBack: false);
        AssertSameBytes(new TableState { Game = new CrazyEightsGame { Players = null!, Hands = null!, Stock = null!, DiscardPile = null! } }, readsBack: false);
        AssertSameBytes(new TableState { Game = new CrazyEightsGame { Hands = new() { ["p1"] = null! } } });
    }

    [Fact]
    public void Every_stored_property_is_written()
    {
        var game = CrazyEights.Deal(["p1", "p2"], Seed(3));
        game.Winner = "p1";
        game.Reshuffles = 1;
        game.RngState = 1;
        var state = new TableState
        {
            Exists = true,
            Name = "n",
            Seats = 2,
            CreatorId = "p1",
            Seq = 1,
            Players = [new SeatState { PlayerId = "p1", Name = "n", DisconnectedAt = DateTimeOffset.UnixEpoch }],
            Game = game,
            TurnStartedAt = DateTimeOffset.UnixEpoch,
            GamesDealt = 1,
            AppliedMoves = new() { ["p1"] = ["m"] },
            CreatedAt = DateTimeOffset.UnixEpoch,
            QuickPlay = true,
            MoveDigests = new() { ["p1"] = "AAAAAAAAAAA=" },
        };
        var objects = new Dictionary<Type, object> { [typeof(TableState)] = state, [typeof(SeatState)] = state.Players[0], [typeof(CrazyEightsGame)] = game };
        var root = JsonDocument.Parse(TableStateJson.Serialize(state)).RootElement;
        var written = new Dictionary<Type, JsonElement>
        {
            [typeof(TableState)] = root,
            [typeof(SeatState)] = root.GetProperty(nameof(TableState.Players))[0],
            [typeof(CrazyEightsGame)] = root.GetProperty(nameof(TableState.Game)),
        };

        foreach (var type in StoredTypes)
        {
            foreach (var property in StoredProperties(type))
            {
                // A sample with a null here would not show whether the property is written: give it a value above.
                Assert.True(property.GetValue(objects[type]) is not null, $"the sample leaves {type.Name}.{property.Name} null");
                Assert.True(written[type].TryGetProperty(property.Name, out _), $"{type.Name}.{property.Name} is not written");
            }

            Assert.Equal(StoredProperties(type).Select(p => p.Name), written[type].EnumerateObject().Select(p => p.Name));
        }

        AssertSameBytes(state);
    }

    [Fact]
    public void The_table_stored_by_version_1_is_written_again_as_System_Text_Json_writes_it_and_reads_back_the_same()
    {
        var stored = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "v1", "table-rypg5c2twu9.json"));
        var state = Json.Deserialize<TableState>(new BinaryData(stored))!;

        var written = AssertSameBytes(state);

        // Version 1 stored no QuickPlay, MoveDigests or Reshuffles (added since, written as their defaults); everything
        // it did store is written again as it was.
        var added = new List<string>();
        AssertKept(JsonDocument.Parse(stored).RootElement, JsonDocument.Parse(written).RootElement, "", added);
        Assert.Equal(["Game.Reshuffles", "QuickPlay", "MoveDigests"], added);
    }

    private static void AssertKept(JsonElement original, JsonElement again, string path, List<string> added)
    {
        if (original.ValueKind != JsonValueKind.Object)
        {
            Assert.Equal(original.GetRawText(), again.GetRawText());
            return;
        }

        var names = original.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var name in names)
        {
            AssertKept(original.GetProperty(name), again.GetProperty(name), path + name + ".", added);
        }

        added.AddRange(again.EnumerateObject().Select(p => p.Name).Except(names).Select(name => path + name));
    }

    [Fact]
    public void The_storage_serializer_writes_other_types_and_reads_everything_as_System_Text_Json()
    {
        var player = new PlayerState { Name = "<ann>", RoomId = "r1", GamesPlayed = 3, UnjoinedRooms = ["r2"] };
        Assert.Equal(Json.Serialize(player).ToArray(), Storage.Serialize(player).ToArray());
        Assert.Equal(Json.Serialize<object>(player).ToArray(), Storage.Serialize<object>(player).ToArray());
        Assert.Equal(Json.Serialize(player).ToArray(), Storage.Serialize(Storage.Deserialize<PlayerState>(Json.Serialize(player))).ToArray());
    }

    [Fact]
    public void A_table_state_is_written_into_a_pooled_array_that_is_used_again_only_after_its_write_succeeded()
    {
        var state = RandomTable(7).Last();
        var expected = Json.Serialize(state).ToArray();
        Assert.True(expected.Length > 500, $"a state of {expected.Length} bytes");

        var first = Storage.Serialize(state);
        Assert.Equal(expected, first.ToArray());
        var firstArray = ArrayOf(first);
        Assert.Same(firstArray, state.WriteBuffer);

        // Its write has not reported success (it failed, or is still out): the next write of the state gets another
        // array, and the first one's bytes stay as they were.
        var second = Storage.Serialize(state);
        Assert.NotSame(firstArray, ArrayOf(second));
        Assert.Equal(expected, first.ToArray());
        Assert.Equal(expected, second.ToArray());

        // The write succeeded: its array goes back to the pool, and the next write takes an array from there instead of
        // allocating one as large as the state.
        TableStateJson.ReturnWriteBuffer(state);
        Assert.Null(state.WriteBuffer);
        Storage.Serialize(state);
        TableStateJson.ReturnWriteBuffer(state);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var third = Storage.Serialize(state);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(expected, third.ToArray());
        Assert.True(allocated < expected.Length / 4, $"{allocated} bytes allocated for a state of {expected.Length}");
        TableStateJson.ReturnWriteBuffer(state);
        TableStateJson.ReturnWriteBuffer(state); // once only: nothing left to return
        Assert.Null(state.WriteBuffer);
    }

    private static byte[] ArrayOf(BinaryData data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data.ToMemory(), out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");

    [Fact]
    public void An_invalid_card_is_refused_as_System_Text_Json_refuses_it()
    {
        var state = new TableState { Game = new CrazyEightsGame { Stock = [default] } };

        Assert.Throws<JsonException>(() => Json.Serialize(state));
        Assert.Throws<JsonException>(() => TableStateJson.Serialize(state));
    }

    private static byte[] AssertSameBytes(TableState state, bool readsBack = true)
    {
        var expected = Json.Serialize(state).ToArray();
        var written = Storage.Serialize(state).ToArray();
        if (!expected.AsSpan().SequenceEqual(written))
        {
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written));
            Assert.Equal(expected, written);
        }

        if (readsBack)
        {
            Assert.Equal(expected, Json.Serialize(Storage.Deserialize<TableState>(new BinaryData(written))).ToArray());
        }

        return written;
    }

    private static IEnumerable<PropertyInfo> StoredProperties(Type type) =>
        type.GetProperties().Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null);

    /// <summary>A room played as the grain plays it: joins, games with move ids, disconnections, leaves, timeouts.</summary>
    private static IEnumerable<TableState> RandomTable(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(1, TimeSpan.TicksPerDay)));
        var options = new GameOptions { TurnTimeoutSeconds = 30, SeatHoldSeconds = 60 };
        var table = new Table($"r{seed}", new TableState(), options, time);
        var players = Players(2 + (seed % 3)).Select(id => new PlayerSnapshot(id + (seed % 2 == 0 ? "" : "-é"), $"name {id} <&>")).ToList();
        table.Create($"room {seed} \"quoted\"", 4, players[0].PlayerId, quickPlay: seed % 4 == 0);
        yield return table.State;
        foreach (var player in players)
        {
            table.Join(player);
            yield return table.State;
        }

        for (var game = 0; game < 2; game++)
        {
            table.Start(players[0].PlayerId, Seed((ulong)(seed * 10 + game)));
            yield return table.State;
            for (var move = 0; move < 300 && table.State.Phase == Phases.Playing; move++)
            {
                time.Advance(TimeSpan.FromTicks(random.NextInt64(1, TimeSpan.TicksPerSecond * 5)));
                var turn = table.State.Game!.Turn!;
                var roll = random.NextDouble();
                if (roll < 0.03)
                {
                    table.SetConnected(turn, false);
                }
                else if (roll < 0.06)
                {
                    time.Advance(TimeSpan.FromSeconds(31));
                    table.OnTimer();
                }
                else
                {
                    table.SetConnected(turn, true);
                    var moveId = Guid.NewGuid().ToString("N");
                    var playable = table.View(turn).Hand!.Where(card => table.Put(turn, card, card.StartsWith('8') ? "SHDC"[random.Next(4)].ToString() : null, moveId).IsOk).Take(1).ToList();
                    if (playable.Count == 0)
                    {
                        table.Take(turn, moveId);
                    }
                }

                table.Accept();
                yield return table.State;
            }
        }

        table.Leave(players[^1].PlayerId);
        yield return table.State;
    }
}
