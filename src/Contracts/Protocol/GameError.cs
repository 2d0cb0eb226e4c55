namespace CardGame.Contracts.Protocol;

/// <summary>
/// A failure as the contract states it: a stable <see cref="Code"/> from <see cref="ErrorCodes"/> and a human-readable
/// <see cref="Text"/>. Grains return it (<see cref="Grains.GameResult{T}"/>); each transport formats it, and only there:
/// the SignalR hub as a <c>HubException</c> whose message is <see cref="ToString"/> (<c>code: text</c>), <c>/ws</c> as
/// <c>{"msg": "error", "code": …, "text": …}</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.GameError")]
public sealed record GameError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Text)
{
    private const string Separator = ": ";

    public static GameError AuthRequired() =>
        new(ErrorCodes.AuthRequired, "connect with an access_token or authenticate with a token first");

    public static GameError BadRequest(string text) => new(ErrorCodes.BadRequest, text);

    public static GameError RoomNotFound(string roomId) => new(ErrorCodes.RoomNotFound, $"there is no room {roomId}");

    public static GameError Unavailable(string text = "the game cluster could not be reached in time; retry") =>
        new(ErrorCodes.Unavailable, text);

    /// <summary>
    /// The error a SignalR client received: the hub sends only a message, <c>code: text</c>. The one reader of that
    /// message for .NET clients (the load tool, the tests); null when it does not start with a contract code.
    /// </summary>
    public static GameError? FromHubMessage(string? message)
    {
        var separator = message?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        return separator > 0 && ErrorCodes.All.Contains(message![..separator])
            ? new GameError(message[..separator], message[(separator + Separator.Length)..])
            : null;
    }

    /// <summary>The hub's error message: <c>code: text</c>.</summary>
    public override string ToString() => Code + Separator + Text;
}
