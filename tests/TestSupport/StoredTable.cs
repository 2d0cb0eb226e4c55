using System.Buffers.Binary;
using System.Text.Json;
using CardGame.Grains;
using StackExchange.Redis;

namespace CardGame.TestSupport;

/// <summary>
/// A table as Redis holds it (the grain's JSON state, read directly, not through the grain): the authoritative
/// record after a fault. Includes each player's applied moves, written in the same write as the move: the latest ids in
/// full and the digests of the last 32 (<see cref="Remembered"/>).
/// </summary>
public sealed record StoredTable(
    long Seq,
    IReadOnlyDictionary<string, IReadOnlyList<string>> AppliedMoves,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Hands,
    IReadOnlyList<string> Stock,
    IReadOnlyList<string> DiscardPile,
    IReadOnlyDictionary<string, IReadOnlyList<ulong>> MoveDigests)
{
    /// <summary>
    /// The digests (<see cref="Table.MoveDigest"/>) of the moves the table remembers for <paramref name="playerId"/>,
    /// oldest first: its stored digests, or those of its ids in full for a table stored before digests.
    /// </summary>
    public IReadOnlyList<ulong> Remembered(string playerId) =>
        MoveDigests.TryGetValue(playerId, out var digests) ? digests
        : AppliedMoves.TryGetValue(playerId, out var ids) ? [.. ids.Select(Table.MoveDigest)]
        : [];

    public static async Task<StoredTable> ReadAsync(RedisServer redis, string roomId) =>
        await ReadAsync((await redis.DatabaseAsync()).Multiplexer, roomId);

    /// <summary>Reads through any client: on a Redis Cluster the key is looked for on every master.</summary>
    public static async Task<StoredTable> ReadAsync(IConnectionMultiplexer redis, string roomId)
    {
        var db = redis.GetDatabase();
        var key = redis.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: $"*table*{roomId}*")).Single();
        string json = await db.KeyTypeAsync(key) == RedisType.Hash
            ? (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString()).Single(v => v.StartsWith('{'))
            : (await db.StringGetAsync(key)).ToString();
        using var document = JsonDocument.Parse(json);
        var state = document.RootElement;
        var game = Property(state, "Game");
        return new StoredTable(
            Property(state, "Seq").GetInt64(),
            Lists(Property(state, "AppliedMoves")),
            game.ValueKind == JsonValueKind.Object ? Lists(Property(game, "Hands")) : new Dictionary<string, IReadOnlyList<string>>(),
            game.ValueKind == JsonValueKind.Object ? Strings(Property(game, "Stock")) : [],
            game.ValueKind == JsonValueKind.Object ? Strings(Property(game, "DiscardPile")) : [],
            Digests(Property(state, "MoveDigests")));
    }

    /// <summary>Every card of the game, each once: the 52 of the deck when a game has been dealt.</summary>
    public IEnumerable<string> AllCards => Hands.Values.SelectMany(h => h).Concat(Stock).Concat(DiscardPile);

    private static JsonElement Property(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static IReadOnlyList<string> Strings(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray().Select(e => e.GetString()!)] : [];

    private static Dictionary<string, IReadOnlyList<ulong>> Digests(JsonElement map) =>
        map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().ToDictionary(p => p.Name, p => (IReadOnlyList<ulong>)[.. Convert.FromBase64String(p.Value.GetString()!).Chunk(sizeof(ulong)).Select(d => BinaryPrimitives.ReadUInt64LittleEndian(d))])
            : [];

    private static Dictionary<string, IReadOnlyList<string>> Lists(JsonElement map) =>
        map.ValueKind == JsonValueKind.Object ? map.EnumerateObject().ToDictionary(p => p.Name, p => Strings(p.Value)) : [];
}
