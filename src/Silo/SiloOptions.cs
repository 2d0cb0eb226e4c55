using System.ComponentModel.DataAnnotations;
using System.Net;

namespace CardGame.Silo;

/// <summary>Silo endpoints, section <c>Silo</c>. These keys are part of the contract with operators.</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Silo";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 11111;

    /// <summary>Port edges (Orleans clients) connect to. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Without Redis (localhost clustering): the silo port of the first silo, which others join. Default 11111.</summary>
    [Range(1, 65535)]
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>With Redis: the address other silos and edges reach this silo at. Default: 127.0.0.1.</summary>
    public string? AdvertisedIP { get; set; }

    /// <summary>With Redis: listen on all addresses rather than only the advertised one (containers). Default false.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>
    /// How many grain locations the silo caches. Orleans allocates the cache's table for its full size up front
    /// (its default of 1,000,000 costs about 18 MB per silo) and keeps an entry (about 0.3 KiB) for every grain the silo
    /// has looked up until the cache is full, long after the grain has left memory: every player who sat down, whose
    /// grain leaves memory right after. The hot locations are the tables being played at, far fewer than this. Default
    /// 20,000.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int DirectoryCacheSize { get; set; } = 20_000;

    /// <summary>
    /// Seconds after a silo crashes (counted from when Orleans estimates it failed) during which the grain directory
    /// refuses to place its grains anywhere else (Orleans' <c>GrainDirectoryOptions.RangeLeaseDuration</c>, default 30 s,
    /// which guards against two live activations of a grain). Every grain here stores its state ETag-checked, so an
    /// activation that outlived its silo's death cannot overwrite a newer one: its write fails and it acknowledges
    /// nothing. Holding the grains back only keeps their tables unavailable (23 s after a SIGKILL in the chaos suite
    /// with the lease, 2 to 7 s without). Default 0 (no lease).
    /// </summary>
    [Range(0, 600)]
    public double DirectoryRangeLeaseSeconds { get; set; }

    /// <summary>
    /// Serve the Orleans Dashboard at <c>/dashboard</c>. It profiles every grain call (about a tenth of a silo's CPU
    /// under game load), so it is opt-in. Default false.
    /// </summary>
    public bool Dashboard { get; set; }

    /// <summary>The user name the dashboard asks for (HTTP basic auth). Default "operator".</summary>
    public string DashboardUser { get; set; } = "operator";

    /// <summary>
    /// The password the dashboard asks for (HTTP basic auth), at least 12 characters; required when
    /// <see cref="Dashboard"/> is on (the silo does not start without it). Default: none.
    /// </summary>
    public string? DashboardPassword { get; set; }

    /// <summary>
    /// I/O queues that schedule the socket work of the silo's connections (to edges and other silos): Orleans'
    /// <c>SocketConnectionOptions.IOQueueCount</c>; 0 hands that work to the thread pool directly. Unset: Orleans'
    /// default, one per core (at most 16).
    /// </summary>
    [Range(0, 64)]
    public int? IOQueueCount { get; set; }

    public IPAddress AdvertisedAddress() =>
        string.IsNullOrWhiteSpace(AdvertisedIP) ? IPAddress.Loopback
        : IPAddress.TryParse(AdvertisedIP, out var ip) ? ip
        : Dns.GetHostAddresses(AdvertisedIP).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
}
