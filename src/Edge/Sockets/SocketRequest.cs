using System.Text.Json;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;

namespace CardGame.Edge.Sockets;

/// <summary>
/// One <c>/ws</c> frame read as a request: a JSON object with a string <c>msg</c>, an optional <c>id</c> (string or
/// number) and the arguments. Every argument of the wrong type is <c>bad_request</c>, like a malformed hub invocation.
/// </summary>
public sealed class SocketRequest
{
    private const string Shape = "a frame is one JSON object with a string msg, e.g. {\"msg\": \"room_list\"}";

    private readonly JsonElement _body;

    private SocketRequest(JsonElement body, string msg, JsonElement? id, GameError? invalid)
    {
        _body = body;
        Msg = msg;
        Id = id;
        Invalid = invalid;
    }

    /// <summary>The request's name; empty when <see cref="Invalid"/>.</summary>
    public string Msg { get; }

    /// <summary>Echoed in the reply (null when the frame had none, or none of a usable type).</summary>
    public JsonElement? Id { get; }

    /// <summary>Why the frame is no request (<c>bad_request</c>), or null.</summary>
    public GameError? Invalid { get; }

    public static SocketRequest Parse(ReadOnlyMemory<byte> frame)
    {
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(frame, new JsonDocumentOptions { MaxDepth = 16 });
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Malformed(default, null, Shape);
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Malformed(body, null, Shape);
        }

        JsonElement? id = null;
        if (body.TryGetProperty("id", out var given) && given.ValueKind != JsonValueKind.Null)
        {
            if (given.ValueKind is not (JsonValueKind.String or JsonValueKind.Number) || given.GetRawText().Length > 128)
            {
                return Malformed(body, null, "id is a string or a number (at most 128 characters)");
            }

            id = given;
        }

        return body.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String
            ? new SocketRequest(body, msg.GetString()!, id, null)
            : Malformed(body, id, Shape);
    }

    /// <summary>A string argument; null when missing or null.</summary>
    public string? String(string name) => Argument(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw WrongType(name, "a string"),
    };

    /// <summary>An integer argument; null when missing or null.</summary>
    public int? Int32(string name) => Argument(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        _ => throw WrongType(name, "an integer"),
    };

    /// <summary>A required integer argument.</summary>
    public long Int64(string name) => Argument(name) switch
    {
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) => number,
        null => throw new GameException(GameError.BadRequest($"{Msg} needs {name}")),
        _ => throw WrongType(name, "an integer"),
    };

    private JsonElement? Argument(string name) =>
        _body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static SocketRequest Malformed(JsonElement body, JsonElement? id, string text) => new(body, "", id, GameError.BadRequest(text));

    private GameException WrongType(string name, string type) => new(GameError.BadRequest($"{name} of {Msg} must be {type}"));
}
