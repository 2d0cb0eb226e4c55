namespace CardGame.LoadTest.Reporting;

/// <summary>
/// The server processes (<c>--server-pids</c>) over the measurement window: CPU seconds used, CPU microseconds per
/// action, and resident memory before the players came and at the end; CPU seconds and resident memory of each process
/// apart, by pid.
/// </summary>
public sealed record ServerUsage(
    IReadOnlyList<int> Pids,
    double CpuSeconds,
    double CpuMicrosecondsPerAction,
    double CpuUtilization,
    long RssBeforeBytes,
    long RssAfterBytes,
    IReadOnlyDictionary<string, long> RssAfterByPid,
    IReadOnlyDictionary<string, double> CpuSecondsByPid);
