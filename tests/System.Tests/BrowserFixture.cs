using CardGame.TestSupport;
using Microsoft.Playwright;

namespace CardGame.SystemTests;

/// <summary>
/// Everything the browser tests run against, once per collection: Redis and a 2-silo Orleans cluster (the base
/// fixture), two edges on real Kestrel servers that share one signing key, and the machine's headless Chromium driven
/// by Playwright. No browser is ever downloaded.
/// </summary>
public sealed class BrowserFixture : ClusterFixture
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>The same key on both edges, so a token from one is valid on the other (32+ bytes for HS256).</summary>
    private const string SigningKey = "cardgame-system-tests-signing-key-0123456789abcdef";

    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public EdgeServer Edge1 { get; private set; } = null!;

    public EdgeServer Edge2 { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing. The browser tests drive the system Chromium: install the Debian package " +
                "'chromium' (sudo apt-get install -y chromium), or run ./test.sh, which installs it.");
        }

        await base.InitializeAsync();
        Edge1 = await StartEdgeAsync();
        Edge2 = await StartEdgeAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
        });
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    /// <summary>Starts one more edge of this cluster, on <paramref name="port"/> (0: any free one), and waits until it is ready.</summary>
    public async Task<EdgeServer> StartEdgeAsync(int port = 0)
    {
        var edge = new EdgeServer(
            new Dictionary<string, string?>(EdgeConfiguration)
            {
                ["Auth:SigningKey"] = SigningKey,
                // Every test browser and load player comes from 127.0.0.1: the per-address limits are tested in Edge.Tests.
                ["Edge:MaxConnectionsPerAddress"] = "1000000",
                ["Edge:GuestSignInsPerMinute"] = "1000000",
                ["Edge:GuestSignInBurst"] = "1000000",
            },
            port);
        await edge.StartAsync();
        return edge;
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Edge1 is not null)
        {
            await Edge1.DisposeAsync();
        }

        if (Edge2 is not null)
        {
            await Edge2.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
