using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// A <see cref="GameError"/> as SignalR sends it: a <see cref="HubException"/> whose message is <c>code: text</c>.
/// SignalR puts its own words and this type's name before the message on the wire; <see cref="GameHubProtocol"/>
/// removes them.
/// </summary>
public sealed class GameHubException(GameError error) : HubException(error.ToString())
{
    public GameError Error { get; } = error;
}
