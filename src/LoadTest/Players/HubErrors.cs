using CardGame.Contracts.Protocol;

namespace CardGame.LoadTest.Players;

/// <summary>The contract's error code of a failed hub call, as a metric label ("unexpected" when it carries none).</summary>
public static class HubErrors
{
    /// <summary>
    /// The label of a call that failed because the server closed the connection under it (an edge draining: its close
    /// fails the calls still pending); whether the call happened is unknown, as after any dropped connection.
    /// </summary>
    public const string ConnectionClosed = "connection_closed";

    // The .NET SignalR client's words for the calls a server's close message cut off.
    private const string ClosedByServer = "The server closed the connection";

    public static string Code(string? message) =>
        message is null ? "unknown"
        : message.StartsWith(ClosedByServer, StringComparison.Ordinal) ? ConnectionClosed
        : GameError.FromHubMessage(message)?.Code ?? "unexpected";
}
