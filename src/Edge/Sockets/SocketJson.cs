using System.Text.Json;

namespace CardGame.Edge.Sockets;

/// <summary>JSON on <c>/ws</c> as on the hub: camelCase, nulls written.</summary>
public static class SocketJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
