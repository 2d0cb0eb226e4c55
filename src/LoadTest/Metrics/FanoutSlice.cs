namespace CardGame.LoadTest.Metrics;

/// <summary>
/// The moves due in one slice of a run's window (from <paramref name="DueFromUtc"/>): how many, how many fanned out in
/// over 25 ms and over 100 ms, and the slowest.
/// </summary>
public sealed record FanoutSlice(DateTime DueFromUtc, int Moves, int Over25, int Over100, double MaxMs);
