namespace CardGame.LoadTest.Metrics;

/// <summary>
/// How busy the machine was with other work over a measurement window, in cores: <see cref="OtherCores"/> is the
/// machine's busy CPU less the servers' and this tool's (raw, so a negative value shows the two counters disagreeing
/// rather than being hidden); <see cref="OtherProcessCores"/> sums every other process's CPU directly (a lower bound:
/// it misses processes that started and ended inside the window, such as compilers under a build);
/// <see cref="StealCores"/> is CPU the hypervisor gave to other machines. A run is <see cref="Busy"/> when any of them
/// reaches <see cref="BusyCores"/>: its figures are pessimistic and it is marked so.
/// </summary>
public sealed record MachineNoise(
    double OtherCores,
    double OtherProcessCores,
    double StealCores,
    double LoadAverageStart,
    double LoadAverageEnd,
    IReadOnlyList<string> TopOthers,
    bool Busy)
{
    public const double BusyCores = 0.1;

    public static MachineNoise Between(MachineSample start, MachineSample end, double ourCpuSeconds, IReadOnlySet<int> ourPids)
    {
        var seconds = Math.Max(Clock.Microseconds(start.Timestamp, end.Timestamp) / 1e6, 0.001);
        var others = end.Processes
            .Where(p => !ourPids.Contains(p.Key))
            .Select(p => (p.Value.Name, Cores: (p.Value.CpuSeconds - (start.Processes.TryGetValue(p.Key, out var s) && s.Name == p.Value.Name ? s.CpuSeconds : 0)) / seconds))
            .Where(p => p.Cores > 0)
            .ToList();
        var otherCores = (end.BusySeconds - start.BusySeconds - ourCpuSeconds) / seconds;
        var otherProcessCores = others.Sum(p => p.Cores);
        var steal = (end.StealSeconds - start.StealSeconds) / seconds;
        var top = others.GroupBy(p => p.Name).Select(g => (Name: g.Key, Cores: g.Sum(p => p.Cores)))
            .OrderByDescending(p => p.Cores).Take(3).Select(p => $"{p.Name} {p.Cores:0.00}").ToList();
        return new MachineNoise(
            Math.Round(otherCores, 3),
            Math.Round(otherProcessCores, 3),
            Math.Round(steal, 3),
            start.LoadAverage,
            end.LoadAverage,
            top,
            otherCores >= BusyCores || otherProcessCores >= BusyCores || steal >= BusyCores);
    }
}
