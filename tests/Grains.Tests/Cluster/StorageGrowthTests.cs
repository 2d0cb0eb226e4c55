using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// What Redis keeps, checked on the real Redis of a real cluster: a closed room's record is deleted, player records
/// expire after <c>Game:PlayerRetentionDays</c> unless in use, the move ids of a player who left are pruned; and how
/// many bytes a player and a table take.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class StorageGrowthTests(StorageClusterFixture fixture, ITestOutputHelper output)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_room_whose_last_player_leaves_deletes_its_record_answers_room_not_found_and_leaves_memory()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var table = Grains.GetGrain<ITableGrain>(roomId);
        Assert.True((await table.Start(players[0].GetPrimaryKeyString())).IsOk);
        await PlayMovesAsync(roomId, 6);
        Assert.NotNull(await TableKeyAsync(roomId));

        Assert.True((await players[0].LeaveRoom(roomId)).IsOk);
        Assert.NotNull(await TableKeyAsync(roomId)); // one player left: the room is open, its record stays
        Assert.True((await players[1].LeaveRoom(roomId)).IsOk);

        Assert.Null(await TableKeyAsync(roomId));
        Assert.Equal(ErrorCodes.RoomNotFound, (await table.GetView(players[0].GetPrimaryKeyString())).Error?.Code);
        Assert.Equal(ErrorCodes.RoomNotFound, (await table.Resume(players[0].GetPrimaryKeyString(), 0)).Error?.Code);
        Assert.Equal(ITableGrain.NoSuchRoom, await table.Subscribe("edge-x", Grains.CreateObjectReference<ITableObserver>(new RecordingObserver())));
        await TableGrainTests.WaitForAsync(async () => !await IsActiveAsync(roomId), 30_000);
        Assert.Null(await TableKeyAsync(roomId));
        // The players sit nowhere and may open or join another room.
        Assert.All(await Task.WhenAll(players.Select(p => p.GetStats())), s => Assert.Null(s.RoomId));
        Assert.True((await players[0].CreateRoom("next", 2)).IsOk);
    }

    [Fact]
    public async Task A_room_nobody_joins_deletes_its_record_when_it_closes()
    {
        var creator = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        await creator.SignIn("creator");
        var roomId = (await creator.CreateRoom("empty", 4)).Value!.RoomId;
        Assert.NotNull(await TableKeyAsync(roomId));

        // Game:EmptyRoomSeconds is 2 here.
        await TableGrainTests.WaitForAsync(async () => await TableKeyAsync(roomId) is null, 30_000);
        await TableGrainTests.WaitForAsync(async () => !await IsActiveAsync(roomId), 30_000);
        Assert.Equal(ErrorCodes.RoomNotFound, (await Grains.GetGrain<ITableGrain>(roomId).GetView("anyone")).Error?.Code);
        Assert.Null(await TableKeyAsync(roomId));
    }

    [Fact]
    public async Task The_move_ids_of_a_player_who_left_are_pruned_and_the_others_keep_theirs()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        Assert.True((await Grains.GetGrain<ITableGrain>(roomId).Start(players[0].GetPrimaryKeyString())).IsOk);
        await PlayMovesAsync(roomId, 9);
        var before = await StoredTable.ReadAsync(fixture.Redis, roomId);
        Assert.Equal(3, before.AppliedMoves.Count(m => m.Value.Count > 0));

        var leaver = players[1].GetPrimaryKeyString();
        Assert.True((await players[1].LeaveRoom(roomId)).IsOk);

        var after = await StoredTable.ReadAsync(fixture.Redis, roomId);
        output.WriteLine($"stored move ids per player before: {string.Join(", ", before.AppliedMoves.Select(m => m.Value.Count))}; after one left: {string.Join(", ", after.AppliedMoves.Select(m => m.Value.Count))}");
        Assert.False(after.AppliedMoves.ContainsKey(leaver));
        Assert.Equal(2, after.AppliedMoves.Count);
        Assert.All(after.AppliedMoves, m => Assert.Equal(before.AppliedMoves[m.Key], m.Value));
        Assert.False(after.MoveDigests.ContainsKey(leaver));
        Assert.Equal(2, after.MoveDigests.Count);
        Assert.All(after.MoveDigests, m => Assert.Equal(before.MoveDigests[m.Key], m.Value));
    }

    [Fact]
    public async Task Player_records_expire_after_the_retention_unless_in_use_and_come_back_when_written_again()
    {
        var retention = fixture.PlayerRetention;
        var idle = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        var active = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        var signingIn = DateTimeOffset.UtcNow;
        await idle.SignIn("idle");
        var signedIn = DateTimeOffset.UtcNow;
        await active.SignIn("active");
        var db = await fixture.Redis.DatabaseAsync();
        var idleKey = Found(await PlayerKeyAsync(idle.GetPrimaryKeyString()));
        var activeKey = Found(await PlayerKeyAsync(active.GetPrimaryKeyString()));
        await AssertExpiresAfterWriteAsync(db, idleKey, retention, signingIn, signedIn);

        // The active player stays connected (edges repeat their connection report); the idle one does nothing.
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < retention * 2.5)
        {
            await active.SetConnections("edge-r", 1);
            await Task.Delay(250);
        }

        Assert.False(await db.KeyExistsAsync(idleKey));
        Assert.True(await db.KeyExistsAsync(activeKey));
        Assert.NotNull(await db.KeyTimeToLiveAsync(activeKey));

        // The idle player's grain still held the expired record: its next write (a sign-in) stores it afresh.
        signingIn = DateTimeOffset.UtcNow;
        await idle.SignIn("idle");
        signedIn = DateTimeOffset.UtcNow;
        Assert.True(await db.KeyExistsAsync(idleKey));
        await AssertExpiresAfterWriteAsync(db, idleKey, retention, signingIn, signedIn);
    }

    /// <summary>
    /// The record of <paramref name="key"/>, written between <paramref name="from"/> and <paramref name="to"/>, expires
    /// <paramref name="retention"/> after that write: its expiry instant (PEXPIRETIME, Redis 7) is compared, not its
    /// time to live, which shrinks by however long the machine took between the write and the look (a 2 s stop of the
    /// test process there failed a bound on the TTL).
    /// </summary>
    private async Task AssertExpiresAfterWriteAsync(IDatabase db, RedisKey key, TimeSpan retention, DateTimeOffset from, DateTimeOffset to)
    {
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)await db.ExecuteAsync("PEXPIRETIME", key));
        output.WriteLine($"retention {retention.TotalSeconds} s; the record written {(to - from).TotalMilliseconds:F0} ms long expires {(expiresAt - from).TotalSeconds:F3} s after the write began");
        // Redis keeps milliseconds: the bounds are widened by one.
        Assert.InRange(expiresAt, from + retention - TimeSpan.FromMilliseconds(1), to + retention + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Bytes_per_player_and_per_table_in_redis()
    {
        // A whole 4-player game with a move id on every move, as the browser client and the load tool send them.
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 4);
        Assert.True((await Grains.GetGrain<ITableGrain>(roomId).Start(players[0].GetPrimaryKeyString())).IsOk);
        var playing = await MemoryUsageAsync(Found(await TableKeyAsync(roomId)));
        var moves = await PlayMovesAsync(roomId, 2000, untilFinished: true);
        var db = await fixture.Redis.DatabaseAsync();
        var tableKey = Found(await TableKeyAsync(roomId));
        var finished = await MemoryUsageAsync(tableKey);
        var tableJson = (await db.HashGetAsync(tableKey, "data")).ToString().Length;
        var playerKeys = await Task.WhenAll(players.Select(p => PlayerKeyAsync(p.GetPrimaryKeyString())));
        var playerBytes = await Task.WhenAll(playerKeys.Select(k => MemoryUsageAsync(Found(k))));
        var playerJson = await Task.WhenAll(playerKeys.Select(async k => (await db.HashGetAsync(Found(k), "data")).ToString().Length));

        output.WriteLine($"table after the deal: {playing} bytes (MEMORY USAGE); after a whole game of {moves} moves with move ids: {finished} bytes, of which {tableJson} bytes of JSON");
        output.WriteLine($"player records: {string.Join(", ", playerBytes)} bytes (MEMORY USAGE), JSON {string.Join(", ", playerJson)} bytes");
        output.WriteLine($"per seated player: {(finished / 4.0) + playerBytes.Average():F0} bytes (a quarter of a 4-seat table and their own record)");
        Assert.All(playerBytes, b => Assert.True(b > 0));
        Assert.True(finished > 0);
    }

    /// <summary>Plays <paramref name="count"/> moves (or until the game ends), each with a fresh move id; returns how many.</summary>
    private async Task<int> PlayMovesAsync(string roomId, int count, bool untilFinished = false)
    {
        var table = Grains.GetGrain<ITableGrain>(roomId);
        for (var i = 0; i < count; i++)
        {
            var turn = (await table.GetView("observer")).Value!.Turn!;
            var view = (await table.GetView(turn)).Value!;
            var put = MoveChooser.ChoosePut(view);
            var moveId = $"m{i}-{Guid.NewGuid():N}";
            var result = put is { } move ? await table.Put(turn, move.Card, move.Suit, moveId) : await table.Take(turn, moveId);
            Assert.True(result.IsOk, $"{result.Error?.Code}: {result.Error?.Text}");
            if (result.Value!.Phase == Phases.Finished)
            {
                Assert.True(untilFinished, "the game ended early");
                return i + 1;
            }
        }

        Assert.False(untilFinished, "the game did not end");
        return count;
    }

    private async Task<bool> IsActiveAsync(string roomId)
    {
        var statistics = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Any(s => s.GrainType.Contains("TableGrain", StringComparison.Ordinal) && s.GrainId.Key.ToString() == roomId);
    }

    private Task<RedisKey?> TableKeyAsync(string roomId) => KeyAsync($"*table*{roomId}*");

    private Task<RedisKey?> PlayerKeyAsync(string playerId) => KeyAsync($"*player*{playerId}*");

    private async Task<RedisKey?> KeyAsync(string pattern)
    {
        var multiplexer = (await fixture.Redis.DatabaseAsync()).Multiplexer;
        await foreach (var key in multiplexer.GetServers().Single().KeysAsync(pattern: pattern))
        {
            return key;
        }

        return null;
    }

    private static RedisKey Found(RedisKey? key) => key ?? throw new InvalidOperationException("the key is not in Redis");

    private async Task<long> MemoryUsageAsync(RedisKey key)
    {
        var db = await fixture.Redis.DatabaseAsync();
        return (long)await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
    }
}

/// <summary>A cluster whose rooms nobody joins close after 2 s and whose player records expire after 4 s.</summary>
public sealed class StorageClusterFixture : ClusterFixture
{
    public TimeSpan PlayerRetention => TimeSpan.FromSeconds(4);

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>(base.GameSettings)
    {
        ["Game:EmptyRoomSeconds"] = "2",
        ["Game:PlayerRetentionDays"] = (PlayerRetention.TotalSeconds / 86400).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<StorageClusterFixture>
{
    public const string Name = "storage";
}
