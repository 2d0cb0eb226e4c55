using System.Text.Json;
using CardGame.Contracts.Grains;
using CardGame.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// A migrating activation carries its persistent state only if Orleans can serialize it (else Orleans logs "Failed to
/// dehydrate state" and the next activation reads Redis again): the stored records of a table mid-game and of a player
/// go through a silo's own serializer and come out the same.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MigrationStateTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_stored_state_of_a_table_mid_game_and_of_its_players_travels_through_the_silo_serializer_unchanged()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(fixture.Grains, 3);
        await fixture.Grains.GetGrain<ITableGrain>(roomId).Start(players[0].GetPrimaryKeyString());
        await GameDriver.PlayOneMoveAsync(fixture.Grains, roomId);
        var silo = fixture.Cluster.Silos.OfType<InProcessSiloHandle>().First(s => s.IsActive);
        var serializer = silo.SiloHost.Services.GetRequiredService<Serializer>();

        var table = JsonSerializer.Deserialize<TableState>(await StoredJsonAsync($"*table*{roomId}*"))!;
        Assert.True(table.Game is not null && table.Seq > 0);
        AssertRoundTrips(serializer, table);
        AssertRoundTrips(serializer, JsonSerializer.Deserialize<PlayerState>(await StoredJsonAsync($"*player*{players[1].GetPrimaryKeyString()}*"))!);
    }

    private static void AssertRoundTrips<T>(Serializer serializer, T state)
    {
        var copy = serializer.Deserialize<T>(serializer.SerializeToArray(state));
        Assert.Equal(JsonSerializer.Serialize(state), JsonSerializer.Serialize(copy));
    }

    private async Task<string> StoredJsonAsync(string pattern)
    {
        var db = await fixture.Redis.DatabaseAsync();
        var key = db.Multiplexer.GetServers().SelectMany(s => s.Keys(pattern: pattern)).Single();
        return await db.KeyTypeAsync(key) == RedisType.Hash
            ? (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString()).Single(v => v.StartsWith('{'))
            : (await db.StringGetAsync(key)).ToString();
    }
}
