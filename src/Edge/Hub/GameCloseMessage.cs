using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CardGame.Edge.Hub;

/// <summary>A close the server chose, with its <see cref="GameError"/> as the reason (<c>code: text</c>); no automatic reconnect.</summary>
public sealed class GameCloseMessage(GameError reason) : CloseMessage(reason.ToString(), allowReconnect: false)
{
    public GameError Reason { get; } = reason;
}
