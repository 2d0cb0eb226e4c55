using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using CardGame.Grains;
using CardGame.TestSupport;
using StackExchange.Redis;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>What a table grain wrote to Redis: the whole hidden state (hands, stock order, shuffle generator).</summary>
public static class StoredTables
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly ConcurrentDictionary<string, RedisKey> Keys = new();

    public static async Task<TableState> ReadAsync(RedisServer redis, string roomId)
    {
        var db = await redis.DatabaseAsync();
        if (!Keys.TryGetValue(roomId, out var key))
        {
            var server = db.Multiplexer.GetServer(db.Multiplexer.GetEndPoints()[0]);
            Keys[roomId] = key = await server.KeysAsync(pattern: $"*table*{roomId}*").SingleAsync();
        }

        var text = await db.KeyTypeAsync(key) == RedisType.Hash
            ? (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString()).Single(v => v.StartsWith('{'))
            : (await db.StringGetAsync(key)).ToString();
        return JsonSerializer.Deserialize<TableState>(text, Json) ?? throw new InvalidOperationException($"no table state for {roomId}");
    }
}
