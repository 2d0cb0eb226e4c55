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

    /// <summary>Invocation to acknowledgment (open loop: from the scheduled time).</summary>
    public required LatencySummary AckMs { get; init; }

    /// <summary>Invocation sent until every other seat of the table had the event.</summary>
    public required LatencySummary FanoutAllMs { get; init; }

    /// <summary>Invocation sent until one other seat had the event (per seat).</summary>
    public required LatencySummary DeliveryMs { get; init; }

    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    public required long ViolationCount { get; init; }

    public required IReadOnlyDictionary<string, long> Violations { get; init; }

    public required IReadOnlyList<string> ViolationSamples { get; init; }

    public OpenLoopStats? OpenLoop { get; init; }

    public ServerUsage? Server { get; init; }

    /// <summary>This process's own CPU time over the measurement window (it shares the machine with the servers).</summary>
    public required double LoadToolCpuSeconds { get; init; }

    /// <summary>Busy CPU time of the whole machine over the measurement window (servers, this tool and anything else).</summary>
    public double MachineCpuSeconds { get; init; }

    public IReadOnlyList<IdleStep> IdleSteps { get; init; } = [];

    public required int ExitCode { get; init; }
}
