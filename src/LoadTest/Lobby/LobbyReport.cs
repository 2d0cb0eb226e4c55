using CardGame.LoadTest.Metrics;

namespace CardGame.LoadTest.Lobby;

/// <summary>The report of a lobby run (its JSON shape with <c>--json</c>/<c>--json-file</c>).</summary>
public sealed record LobbyReport
{
    public string Scenario { get; init; } = "lobby";

    public required IReadOnlyList<string> Edges { get; init; }

    public required int Rooms { get; init; }

    /// <summary>Watchers asked for; <see cref="Watching"/> of them were watching when the rounds began.</summary>
    public required int Watchers { get; init; }

    public required int Watching { get; init; }

    public required double ConnectSeconds { get; init; }

    public required int ChangesPerRound { get; init; }

    public required int WarmupRounds { get; init; }

    public required IReadOnlyList<LobbyRoundResult> Rounds { get; init; }

    /// <summary>Changes × watchers over the measured rounds: every one either delivered or a miss.</summary>
    public required long Expected { get; init; }

    public required long Delivered { get; init; }

    /// <summary>Changes a watcher did not get within the round's deadline (also every change of a watcher whose connection dropped).</summary>
    public required long Misses { get; init; }

    /// <summary>Latency over every expected delivery, a miss counting as later than any delivery (null: the percentile is a miss).</summary>
    public required LobbyLatency LatencyMs { get; init; }

    /// <summary>CPU of the server processes (--server-pids) over the measured rounds, per delivery.</summary>
    public required double ServerCpuMicrosecondsPerDelivery { get; init; }

    /// <summary>CPU of this tool (its watchers' receiving and parsing) over the measured rounds, per delivery.</summary>
    public required double ToolCpuMicrosecondsPerDelivery { get; init; }

    public required MachineNoise Noise { get; init; }

    /// <summary>Every watcher got every change within 2 s (p99 and max, no miss).</summary>
    public required bool TargetMet { get; init; }

    public required IReadOnlyDictionary<string, long> Errors { get; init; }
}

/// <summary>One measured round: its changes sent at once, and how long each watcher took to get each.</summary>
public sealed record LobbyRoundResult(int Round, long Expected, long Misses, LobbyLatency LatencyMs, double Seconds,
    double ServerCpuMicrosecondsPerDelivery, double ToolCpuMicrosecondsPerDelivery, double LoadAverage);

/// <summary>Percentiles in milliseconds; null where the percentile falls on a miss.</summary>
public sealed record LobbyLatency(double? P50, double? P90, double? P99, double? Max)
{
    /// <summary>From delivery latencies and a number of misses (each later than every delivery).</summary>
    public static LobbyLatency Of(IReadOnlyList<double> deliveredMs, long misses)
    {
        var sorted = deliveredMs.Order().ToList();
        var total = sorted.Count + misses;
        double? At(double quantile)
        {
            if (total == 0)
            {
                return null;
            }

            var index = (long)Math.Min(total - 1, Math.Floor(quantile * total));
            return index < sorted.Count ? Math.Round(sorted[(int)index], 1) : null;
        }

        return new LobbyLatency(At(0.5), At(0.9), At(0.99), misses > 0 ? null : At(1.0));
    }
}
