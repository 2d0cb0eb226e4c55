namespace CardGame.LoadTest.Metrics;

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public override string ToString() =>
        Count == 0 ? "n/a" : $"p50 {P50:0.##} ms, p90 {P90:0.##}, p99 {P99:0.##}, p99.9 {P999:0.##}, max {Max:0.##} (n={Count})";
}
