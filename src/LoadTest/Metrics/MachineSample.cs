using System.Globalization;

namespace CardGame.LoadTest.Metrics;

/// <summary>
/// One reading of the whole machine from /proc: busy and stolen CPU time (/proc/stat), the 1-minute load average, and
/// the CPU time (utime + stime) of every process. Two readings tell how much of the machine went to other work during a
/// run (<see cref="MachineNoise"/>); processes that both start and end between them are missed by the per-process sum
/// (not by the machine's busy time). Empty where /proc is not there.
/// </summary>
public sealed record MachineSample(long Timestamp, double BusySeconds, double StealSeconds, double LoadAverage,
    IReadOnlyDictionary<int, (string Name, double CpuSeconds)> Processes)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static MachineSample Read()
    {
        var now = Clock.Now;
        double busy = 0, steal = 0, load = 0;
        try
        {
            var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal: all but idle, iowait and steal are busy.
            busy = (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / TicksPerSecond;
            steal = (ticks.Length > 7 ? ticks[7] : 0) / TicksPerSecond;
            load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return new MachineSample(now, 0, 0, 0, new Dictionary<int, (string, double)>());
        }

        var processes = new Dictionary<int, (string, double)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                // Fields from "state" on: utime and stime are fields 14 and 15 of the file.
                var cpu = fields.Skip(11).Take(2).Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) / TicksPerSecond;
                processes[pid] = (stat[(open + 1)..close], cpu);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // The process ended while we read it.
            }
        }

        return new MachineSample(now, busy, steal, load, processes);
    }
}
