using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Running;

namespace CardGame.LoadTest.Reporting;

/// <summary>The final report of a run (also its JSON shape with <c>--json</c>).</summary>
public sealed record Report
{
    public required string Scenario { get; init; }

    public required IReadOnlyList<string> Edges { get; init; }

    public required int Players { get; init; }

    public required int Seats { get; init; }

    /// <summary>Spectators per table (each one connection, checked like a player).</summary>
    public int Spectators { get; init; }

    /// <summary>Whether the players found their tables through <c>QuickPlay</c>.</summary>
    public bool QuickPlay { get; init; }

    /// <summary>With quick play: the rooms the server seated the players in.</summary>
    public int QuickPlayRooms { get; init; }

    public required double ThinkMs { get; init; }

    /// <summary>Open-loop rate in moves/s, or 0 for the closed loop.</summary>
    public required double Rate { get; init; }

    public required int Seed { get; init; }

    public required double RampUpSeconds { get; init; }

    public required double MeasuredSeconds { get; init; }

    public required long Connected { get; init; }

    public required long Seated { get; init; }

    public required long ConnectFailures { get; init; }

    public required long ConnectionsLost { get; init; }

    /// <summary>Connections that dropped and came back; the player resumed its table (appended: older reports lack it).</summary>
    public long Reconnects { get; init; }

    /// <summary>Moves sent again with the same moveId after their answer was lost.</summary>
    public long MovesResent { get; init; }

    public required long Actions { get; init; }

    public required double ActionsPerSecond { get; init; }

    public required long GamesStarted { get; init; }

    public required long GamesFinished { get; init; }

    public required long EventsReceived { get; init; }

    /// <summary>From when a move was due (open loop: its scheduled time) to its acknowledgment; misses included.</summary>
    public required LatencySummary AckMs { get; init; }

    /// <summary>From when a move was due until every other seat of the table had the event; misses included.</summary>
    public required LatencySummary FanoutAllMs { get; init; }

    /// <summary>From when a move was due until one other seat had the event (per seat).</summary>
    public required LatencySummary DeliveryMs { get; init; }

    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    /// <summary>The first message of each error code, to tell what an <c>unexpected</c> error was.</summary>
    public IReadOnlyDictionary<string, string> ErrorSamples { get; init; } = new Dictionary<string, string>();

    public required long ViolationCount { get; init; }

    public required IReadOnlyDictionary<string, long> Violations { get; init; }

    public required IReadOnlyList<string> ViolationSamples { get; init; }

    /// <summary>Checks counted besides violations, e.g. <c>shuffle_verified</c> (appended: older reports lack it).</summary>
    public IReadOnlyDictionary<string, long> Checks { get; init; } = new Dictionary<string, long>();

    public OpenLoopStats? OpenLoop { get; init; }

    public ServerUsage? Server { get; init; }

    /// <summary>This process's own CPU time over the measurement window (it shares the machine with the servers).</summary>
    public required double LoadToolCpuSeconds { get; init; }

    /// <summary>How busy the machine was with other work over the measurement window.</summary>
    public MachineNoise? Noise { get; init; }

    /// <summary>Moves due inside the measurement window (open loop: on the schedule; closed loop: when a player acted).</summary>
    public long MovesDue { get; init; }

    /// <summary>Moves due in the window never acknowledged: dropped or never sent, rejected, or unanswered at the end.</summary>
    public long AckMisses { get; init; }

    /// <summary>Moves due in the window whose event never reached every other seat (counted in the fan-out percentiles too).</summary>
    public long FanoutMisses { get; init; }

    public IReadOnlyList<IdleStep> IdleSteps { get; init; } = [];

    /// <summary>
    /// Moves that took over a second from due to answer, or failed, each with its attempts (at most 200 kept; appended:
    /// older reports lack it).
    /// </summary>
    public IReadOnlyList<string> SlowMoves { get; init; } = [];

    /// <summary>How many moves were slow or failed (all of them, kept or not).</summary>
    public int SlowMoveCount { get; init; }

    /// <summary>
    /// The window's fan-outs in slices of 100 ms by when their moves were due (UTC), with how many were slow, to match
    /// slow fan-outs to what the servers did at the time (appended: older reports lack it).
    /// </summary>
    public IReadOnlyList<FanoutSlice> FanoutTimeline { get; init; } = [];

    public required int ExitCode { get; init; }
}
