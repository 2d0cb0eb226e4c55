namespace CardGame.Contracts.Protocol;

/// <summary>Server → client: the events a game client receives (the hub is <c>Hub&lt;IGameClient&gt;</c>).</summary>
public interface IGameClient
{
    Task TableEvent(TableEvent tableEvent);

    /// <summary>A change of the room list, to connections watching the lobby.</summary>
    Task LobbyEvent(LobbyEvent lobbyEvent);
}
