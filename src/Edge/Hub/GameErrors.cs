using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// Failures as clients see them: a <see cref="HubException"/> whose message is an error code of the contract, then
/// <c>": "</c>, then a human-readable text.
/// </summary>
public static class GameErrors
{
    private const string HubExceptionMarker = nameof(HubException) + ": ";

    public static HubException Create(string code, string message) => new($"{code}: {message}");

    public static HubException AuthRequired() =>
        Create(ErrorCodes.AuthRequired, "connect with an access_token or call Authenticate(token) first");

    public static HubException BadRequest(string message) => Create(ErrorCodes.BadRequest, message);

    public static HubException Unavailable(string message = "the game cluster could not be reached in time; retry") =>
        Create(ErrorCodes.Unavailable, message);

    /// <summary>The view of a successful action, or the grain's error code as a <see cref="HubException"/>.</summary>
    public static TableView Unwrap(TableResult result) =>
        result.IsOk ? result.View ?? throw Unavailable("the table returned no view; retry") : throw Create(result.ErrorCode!, result.ErrorMessage ?? result.ErrorCode!);

    public static RoomInfo Unwrap(RoomResult result) =>
        result.IsOk ? result.Room ?? throw Unavailable("the table returned no room; retry") : throw Create(result.ErrorCode!, result.ErrorMessage ?? result.ErrorCode!);

    /// <summary>
    /// The error text sent on the wire. SignalR prefixes a <see cref="HubException"/>'s message with its own words and
    /// the exception's type name; clients get only our message. Errors SignalR raises itself (unknown method,
    /// malformed invocation) get <c>bad_request</c>.
    /// </summary>
    public static string ForClient(string error)
    {
        var marker = error.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        var text = marker >= 0 ? error[(marker + HubExceptionMarker.Length)..] : error;
        if (HasCode(text))
        {
            return text;
        }

        var code = text.StartsWith("An unexpected error", StringComparison.Ordinal) ? ErrorCodes.Unavailable : ErrorCodes.BadRequest;
        return $"{code}: {text}";
    }

    private static bool HasCode(string text) =>
        ErrorCodes.All.Any(code => text.Length > code.Length + 1 && text.StartsWith(code, StringComparison.Ordinal) && text.AsSpan(code.Length).StartsWith(": "));
}
