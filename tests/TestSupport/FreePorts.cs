using System.Net;
using System.Net.Sockets;

namespace CardGame.TestSupport;

/// <summary>
/// Ports for the servers tests start as processes (redis-server, nginx, silos, edges). A port is chosen here and bound
/// later by another process, so nothing else may take it meanwhile:
/// <list type="bullet">
/// <item>it lies outside the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), from which every
/// outgoing connection of every process gets its local port. Before, a port asked of the kernel with port 0 came from
/// that range, and an outgoing connection of a test running beside took it before the silo bound it ("address already
/// in use", CI run of 2026-12-01);</item>
/// <item>this process hands it out once;</item>
/// <item>the test processes that run side by side each hold a lock file per port they were given
/// (<c>flock</c>, released by the kernel when the process exits), so two of them never choose the same one.</item>
/// </list>
/// </summary>
public static class FreePorts
{
    private const int Lowest = 10_000;
    private const int Highest = 65_535;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Given = [];
    private static readonly List<FileStream> Held = [];
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "cardgame-test-ports");

    /// <summary>A loopback port nothing listens on, outside the ephemeral range, not given to any other test process alive.</summary>
    public static int Next() => NextRange(1);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports, each as <see cref="Next"/> gives: for an Orleans test
    /// cluster, whose silo <c>i</c> listens on the base port plus <c>i</c> (<see cref="ClusterPorts"/>).
    /// </summary>
    public static int NextRange(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var (ephemeralLow, ephemeralHigh) = EphemeralRange();
        lock (Gate)
        {
            Directory.CreateDirectory(LockDirectory);
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var first = Random.Shared.Next(Lowest, Highest + 2 - count);
                var last = first + count - 1;
                if ((last >= ephemeralLow && first <= ephemeralHigh) || Enumerable.Range(first, count).Any(Given.Contains))
                {
                    continue;
                }

                var held = new List<FileStream>();
                var free = true;
                foreach (var port in Enumerable.Range(first, count))
                {
                    Given.Add(port);
                    if (TryHold(port) is not { } hold)
                    {
                        free = false;
                        break;
                    }

                    held.Add(hold);
                    if (!Bindable(port))
                    {
                        free = false;
                        break;
                    }
                }

                if (free)
                {
                    Held.AddRange(held);
                    return first;
                }

                held.ForEach(h => h.Dispose());
            }

            throw new InvalidOperationException(
                $"no {count} free loopback port(s) between {Lowest} and {Highest} outside the ephemeral range {ephemeralLow}-{ephemeralHigh}");
        }
    }

    /// <summary>The kernel's ephemeral range; Linux's default when it cannot be read.</summary>
    public static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return (32_768, 60_999);
        }
    }

    // .NET takes an advisory flock (LOCK_EX | LOCK_NB) for FileShare.None on Unix: a second holder fails at once.
    private static FileStream? TryHold(int port)
    {
        try
        {
            return new FileStream(Path.Combine(LockDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
