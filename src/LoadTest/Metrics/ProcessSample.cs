using System.Globalization;

namespace CardGame.LoadTest.Metrics;

/// <summary>
/// One reading of a process from /proc: CPU time (utime + stime, in clock ticks of 10 ms) and resident memory.
/// Linux only; a process that is gone reads as zero.
/// </summary>
public sealed record ProcessSample(int Pid, double CpuSeconds, long RssBytes)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static ProcessSample Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may contain spaces) start at field 3, "state".
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var rssLine = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
            var rssKb = rssLine is null ? 0 : long.Parse(rssLine["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return new ProcessSample(pid, ticks / TicksPerSecond, rssKb * 1024);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return new ProcessSample(pid, 0, 0);
        }
    }

    public static IReadOnlyList<ProcessSample> ReadAll(IEnumerable<int> pids) => [.. pids.Select(Read)];
}
