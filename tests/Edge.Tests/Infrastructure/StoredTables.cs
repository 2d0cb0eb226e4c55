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

    public static async Task<TableState> ReadAsync(RedisServer redis, string roomId)
    {
        var db = await redis.DatabaseAsync();
        var server = db.Multiplexer.GetServer(db.Multiplexer.GetEndPoints()[0]);
        var key = server.Keys(pattern: $"*table*{roomId}*").Single();
        var text = await db.KeyTypeAsync(key) == RedisType.Hash
            ? (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString()).Single(v => v.StartsWith('{'))
            : (await db.StringGetAsync(key)).ToString();
        return JsonSerializer.Deserialize<TableState>(text, Json) ?? throw new InvalidOperationException($"no table state for {roomId}");
    }
}
