using System.Text.Json;
using System.Text.Json.Serialization;
using CardGame.Contracts.Protocol;

namespace CardGame.LoadTest.Lobby;

/// <summary>
/// Compile-time JSON metadata of what a lobby watcher receives (the contract's camelCase, as the edge writes it), so
/// a watcher's parsing does not go through reflection: a thousand watchers' parsing ran in this tool beside the
/// servers on the same cores and took several times their CPU (bench/results, the lobby phase).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LobbyEvent))]
[JsonSerializable(typeof(RoomInfo[]))]
internal sealed partial class LobbyJson : JsonSerializerContext;
