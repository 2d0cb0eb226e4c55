using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// Implemented by each edge node that has connections watching the lobby, once per node: a directory shard sends it its
/// room list changes (coalesced per room) and the edge fans them out to its watching connections.
/// </summary>
[Alias("cardgame.ILobbyObserver")]
[Version(1)]
public interface ILobbyObserver : IGrainObserver
{
    [Alias("OnLobbyEvents")]
    Task OnLobbyEvents(IReadOnlyList<LobbyEvent> events);
}
