namespace CardGame.LoadTest.Reporting;

/// <summary>
/// Server memory with <see cref="Players"/> idle seated players: total RSS, per player (total, and above the empty
/// servers), and each server process's RSS by pid (in the order of <c>--server-pids</c>).
/// </summary>
public sealed record IdleStep(int Players, long RssBytes, double BytesPerPlayer, double AddedBytesPerPlayer, IReadOnlyList<long> RssByProcess);
