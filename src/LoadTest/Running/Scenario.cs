namespace CardGame.LoadTest.Running;

/// <summary>What the simulated players do.</summary>
public enum Scenario
{
    /// <summary>Play Crazy Eights against the edges' <c>/hubs/game</c> and check every event.</summary>
    Game,

    /// <summary>Sign in and take a seat, then do nothing (memory per idle seated player).</summary>
    Idle,

    /// <summary>Bare stack: invoke <c>Echo</c> on bench/BareStack's <c>/hubs/bare</c> (SignalR only).</summary>
    Echo,

    /// <summary>Bare stack: invoke <c>Act</c>, a no-op grain call and a send to the other seats (SignalR + Orleans).</summary>
    Grain,

    /// <summary>
    /// Live lobby: rooms in the room directory and connections watching the lobby; rounds of room changes timed from
    /// the directory to every watcher (<c>Lobby/LobbyRunner</c>).
    /// </summary>
    Lobby,
}
