using System.Globalization;

namespace CardGame.LoadTest.Metrics;

/// <summary>
/// Busy CPU time of the whole machine from /proc/stat (all cores, in seconds), so a report can tell how much of the
/// machine went to processes other than the servers and this tool. Zero where /proc is not there.
/// </summary>
public static class MachineCpu
{
    public static double BusySeconds()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var ticks = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
            var busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + (ticks.Length > 7 ? ticks[7] : 0);
            return busy / 100.0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return 0;
        }
    }
}
