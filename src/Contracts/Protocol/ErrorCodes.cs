namespace CardGame.Contracts.Protocol;

/// <summary>The stable error codes of the wire contract (shared/protocol.md). A hub failure's message starts with one of these.</summary>
public static class ErrorCodes
{
    public const string AuthRequired = "auth_required";
    public const string InvalidToken = "invalid_token";
    public const string TokenExpired = "token_expired";
    public const string BadRequest = "bad_request";
    public const string RoomNotFound = "room_not_found";
    public const string RoomFull = "room_full";
    public const string AlreadySeated = "already_seated";
    public const string NotSeated = "not_seated";
    public const string GameNotStarted = "game_not_started";
    public const string GameInProgress = "game_in_progress";
    public const string NotEnoughPlayers = "not_enough_players";
    public const string NotYourTurn = "not_your_turn";
    public const string CardNotInHand = "card_not_in_hand";
    public const string IllegalCard = "illegal_card";
    public const string SuitRequired = "suit_required";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";

    /// <summary>A per-player or per-connection cap: watched rooms, open rooms nobody has joined.</summary>
    public const string LimitReached = "limit_reached";

    public static IReadOnlyList<string> All { get; } =
    [
        AuthRequired, InvalidToken, TokenExpired, BadRequest, RoomNotFound, RoomFull, AlreadySeated,
        NotSeated, GameNotStarted, GameInProgress, NotEnoughPlayers, NotYourTurn, CardNotInHand,
        IllegalCard, SuitRequired, RateLimited, Unavailable, LimitReached,
    ];
}
