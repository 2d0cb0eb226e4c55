using System.Diagnostics;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class RoomDirectoryTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task The_room_list_holds_at_most_100_rooms_with_free_seats_first_fullest_first()
    {
        // 130 rooms of this test (others' rooms may be listed too): 110 of 4 seats holding 0 to 3 players, 20 full ones.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var rooms = await Task.WhenAll(Enumerable.Range(0, 130).Select(async i =>
        {
            var roomId = $"dir{tag}{i}";
            var table = Grains.GetGrain<ITableGrain>(roomId);
            Assert.True((await table.Create($"room {i}", 4, $"creator{tag}{i}")).IsOk);
            var players = i < 110 ? i % 4 : 4;
            for (var p = 0; p < players; p++)
            {
                Assert.True((await table.Join(new PlayerSnapshot($"p{tag}{i}x{p}", $"p{p}"))).IsOk);
            }

            return roomId;
        }));

        var list = Grains.GetGrain<IRoomListGrain>(0);
        var fullest = rooms.Take(110).Where((_, i) => i % 4 == 3).Order().ToList();
        var full = rooms.Skip(110).ToHashSet();
        IReadOnlyList<RoomInfo> listed = [];
        // Tables announce each join to the directory as it happens: wait until it has heard of the last ones (a full
        // room last heard of with 3 players would still be listed).
        await TableGrainTests.WaitForAsync(async () => (listed = await list.ListFresh()).Count(r => fullest.Contains(r.RoomId) && r.Players == 3) == fullest.Count
            && !listed.Any(r => full.Contains(r.RoomId)), 30_000);

        Assert.Equal(RoomDirectory.MaxListed, listed.Count);
        var freeSeats = listed.TakeWhile(RoomDirectory.HasFreeSeat).ToList();
        Assert.All(listed.Skip(freeSeats.Count), r => Assert.False(RoomDirectory.HasFreeSeat(r)));
        Assert.Equal(freeSeats.Select(r => r.Seats - r.Players).Order(), freeSeats.Select(r => r.Seats - r.Players));
        // Every room of this test with 3 of 4 seats taken is listed (they are the fullest with a free seat) ...
        Assert.Equal(fullest, listed.Where(r => r.Players == 3 && r.RoomId.StartsWith($"dir{tag}", StringComparison.Ordinal)).Select(r => r.RoomId).Order());
        // ... and none of its full ones, which come after the 110 with free seats.
        Assert.DoesNotContain(listed, r => r.RoomId.StartsWith($"dir{tag}", StringComparison.Ordinal) && r.Players == 4);
    }

    [Fact]
    public async Task A_flood_of_CreateRoom_from_one_player_opens_3_rooms_then_limit_reached_and_joining_one_frees_a_slot()
    {
        var player = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        await player.SignIn("flooder");
        var keysBefore = await RedisKeysAsync();

        var results = new List<GameResult<RoomInfo>>();
        for (var i = 0; i < 50; i++)
        {
            results.Add(await player.CreateRoom($"flood {i}", 4));
        }

        var keysAfter = await RedisKeysAsync();
        output.WriteLine($"50 CreateRoom calls: {results.Count(r => r.IsOk)} rooms, {results.Count(r => r.Error?.Code == ErrorCodes.LimitReached)} limit_reached; Redis keys {keysBefore} -> {keysAfter}");
        Assert.Equal(3, results.Count(r => r.IsOk));
        Assert.All(results.Skip(3), r => Assert.Equal(ErrorCodes.LimitReached, r.Error?.Code));
        // The three tables and the player record, at most (other tests may add keys meanwhile, so only an upper bound on ours).
        Assert.True(keysAfter - keysBefore <= 3 + 1 + 20, $"Redis grew by {keysAfter - keysBefore} keys");

        var joiner = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        await joiner.SignIn("joiner");
        Assert.True((await joiner.JoinRoom(results[0].Value!.RoomId)).IsOk);
        Assert.True((await player.CreateRoom("one more", 4)).IsOk);
        Assert.Equal(ErrorCodes.LimitReached, (await player.CreateRoom("too many", 4)).Error?.Code);
    }

    [Fact]
    public async Task A_starting_silo_deletes_the_room_list_stored_by_the_single_directory_grain_of_earlier_versions()
    {
        // Stored exactly as the earlier version did: state "rooms" of grain roomdirectory/0, through the real storage.
        var oldDirectory = Grains.GetGrain<IRoomDirectoryGrain>(0).GetGrainId();
        Assert.Equal(GrainId.Create("roomdirectory", "0"), oldDirectory);
        var primary = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Silos[0]);
        var storage = primary.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Tables);
        await storage.WriteStateAsync("rooms", oldDirectory, new GrainState<Dictionary<string, string>>(new() { ["r1"] = "old room" }));
        var db = await fixture.Redis.DatabaseAsync();
        var key = CardGame.Silo.RetiredDirectoryKey.KeyOf(fixture.ServiceId);
        Assert.True(await db.KeyExistsAsync(key), $"the storage did not write {key}");

        var silo = await fixture.Cluster.StartAdditionalSiloAsync();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (await db.KeyExistsAsync(key) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(await db.KeyExistsAsync(key), "a new silo did not delete the retired directory key within 60 s");
            Assert.NotNull(await Grains.GetGrain<IRoomDirectoryGrain>(0).List(RoomDirectory.MaxListed));
        }
        finally
        {
            await fixture.Cluster.StopSiloAsync(silo);
        }
    }

    [Fact]
    public async Task The_directory_stores_nothing_and_a_change_costs_the_same_with_10000_rooms_as_with_100()
    {
        // Straight to the shards, as tables announce: how long a change takes to apply does not grow with the room count.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var small = await TimeChangesAsync($"s{tag}", rooms: 100);
        var large = await TimeChangesAsync($"l{tag}", rooms: 10_000);
        var stored = await RedisKeysAsync("*irectory*");
        output.WriteLine($"directory: {small.TotalMicroseconds:F0} µs per change with 100 rooms, {large.TotalMicroseconds:F0} µs with 10,000 " +
            $"(1,000 changes each, one-way calls then a round trip to every shard; shared 2-core machine, noisy); Redis keys of the directory: {stored}");
        Assert.Equal(0, stored);
        foreach (var roomId in Enumerable.Range(0, 10_000).Select(i => $"l{tag}{i}").Concat(Enumerable.Range(0, 100).Select(i => $"s{tag}{i}")))
        {
            await Grains.GetGrain<IRoomDirectoryGrain>(RoomDirectory.ShardOf(roomId)).Remove(roomId);
        }
    }

    private async Task<TimeSpan> TimeChangesAsync(string prefix, int rooms)
    {
        foreach (var chunk in Enumerable.Range(0, rooms).Chunk(500))
        {
            await Task.WhenAll(chunk.Select(i => Shard(prefix + i).Update(new RoomInfo(prefix + i, $"room {i}", 4, 1, Phases.Waiting))));
        }

        await BarrierAsync();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Shard(prefix + (i % rooms)).Update(new RoomInfo(prefix + (i % rooms), $"room {i}", 4, 2, Phases.Waiting))));
        await BarrierAsync();
        return watch.Elapsed / 1000;
    }

    /// <summary>A round trip to every shard that does no work of its own, so the one-way updates before it have been taken.</summary>
    private Task BarrierAsync() => Task.WhenAll(Enumerable.Range(0, RoomDirectory.Shards).Select(s => Grains.GetGrain<IRoomDirectoryGrain>(s).Unsubscribe("none")));

    private IRoomDirectoryGrain Shard(string roomId) => Grains.GetGrain<IRoomDirectoryGrain>(RoomDirectory.ShardOf(roomId));

    private async Task<int> RedisKeysAsync(string pattern = "*")
    {
        var db = await fixture.Redis.DatabaseAsync();
        var server = db.Multiplexer.GetServer(db.Multiplexer.GetEndPoints()[0]);
        return server.Keys(pattern: pattern).Count();
    }
}
