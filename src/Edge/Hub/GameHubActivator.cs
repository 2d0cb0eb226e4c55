using CardGame.Edge.Application;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// Makes each invocation's <see cref="GameHub"/> (hubs are transient) from the edge's singletons. SignalR's own
/// activator is a scoped service, so every invocation's service scope filled a dictionary of resolved services just
/// to hold it (about a tenth of a KiB per move, in the edge's allocation profile); resolved as a singleton, the scope
/// stays empty.
/// </summary>
public sealed class GameHubActivator(GameApplication game, HubSessions sessions) : IHubActivator<GameHub>
{
    public GameHub Create() => new(game, sessions);

    public void Release(GameHub hub) => hub.Dispose();
}
