namespace CardGame.LoadTest.Running;

/// <summary>Everything a run is told on the command line.</summary>
public sealed record LoadTestOptions
{
    public IReadOnlyList<Uri> Edges { get; init; } = [new Uri("http://127.0.0.1:5101")];

    public Scenario Scenario { get; init; } = Scenario.Game;

    public int Players { get; init; } = 200;

    public int Seats { get; init; } = 4;

    /// <summary>Game scenario: spectators watching each table (checked like the players).</summary>
    public int Spectators { get; init; }

    /// <summary>Game scenario: players find their tables through <c>QuickPlay</c> instead of creating and joining rooms.</summary>
    public bool QuickPlay { get; init; }

    /// <summary>Closed loop: how long a player waits before its move (±20 %). Ignored when <see cref="Rate"/> is set.</summary>
    public TimeSpan Think { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Open loop: moves per second across all players; 0 for the closed loop.</summary>
    public double Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After the run (moves stopped), each player asks for its table and must still be seated, with the hand and table
    /// its events built (a violation otherwise). For runs through restarts and failures.
    /// </summary>
    public bool FinalCheck { get; init; }

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many players sign in and connect at once while ramping up.</summary>
    public int ConnectConcurrency { get; init; } = 64;

    /// <summary>Idle scenario: player counts at which to sample server memory on the way up.</summary>
    public IReadOnlyList<int> IdleSteps { get; init; } = [];

    /// <summary>Server processes whose CPU time and memory (from /proc) the report includes.</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];

    /// <summary>Bare scenarios: the size of the string each invocation carries and returns.</summary>
    public int PayloadBytes { get; init; } = 256;

    /// <summary>Lobby scenario: rooms announced to the room directory.</summary>
    public int LobbyRooms { get; init; } = 10_000;

    /// <summary>Lobby scenario: rooms changed at once in each round.</summary>
    public int LobbyChanges { get; init; } = 100;

    /// <summary>Lobby scenario: measured rounds (after <see cref="LobbyWarmupRounds"/>).</summary>
    public int LobbyRounds { get; init; } = 8;

    /// <summary>
    /// Lobby scenario: rounds before the measured ones. After 2 the servers' CPU per delivery was still falling round by
    /// round (tiered JIT compilation), so 5.
    /// </summary>
    public int LobbyWarmupRounds { get; init; } = 5;

    /// <summary>Lobby scenario: the gateway port of a silo (localhost clustering), through which the changes reach the directory.</summary>
    public int OrleansGateway { get; init; } = 30000;

    public string OrleansClusterId { get; init; } = "cardgame";

    public string OrleansServiceId { get; init; } = "cardgame";

    public int Seed { get; init; } = Environment.TickCount;

    public bool Json { get; init; }

    public FileInfo? JsonFile { get; init; }

    public bool OpenLoop => Rate > 0;
}
