using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>The outcome of creating a room: the new <see cref="Room"/>, or an error code.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.RoomResult")]
public sealed record RoomResult(
    [property: Id(0)] RoomInfo? Room,
    [property: Id(1)] string? ErrorCode = null,
    [property: Id(2)] string? ErrorMessage = null)
{
    public bool IsOk => ErrorCode is null;

    public static RoomResult Fail(string code, string message) => new(null, code, message);
}
