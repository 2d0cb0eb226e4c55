extern alias edge;

using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CardGame.SystemTests;

/// <summary>
/// One edge node, the real application on a real Kestrel server on a free loopback port, joined to the test cluster
/// through <paramref name="configuration"/>, listening on <paramref name="port"/> (0: any free one). Browsers reach it at
/// <see cref="BaseAddress"/>.
/// </summary>
public sealed class EdgeServer(IReadOnlyDictionary<string, string?> configuration, int port = 0) : WebApplicationFactory<edge::Program>
{
    public Uri BaseAddress { get; private set; } = null!;

    public Uri Start()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        BaseAddress = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        return BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in configuration)
        {
            builder.UseSetting(key, value);
        }

        // A stopping edge closes its hub connections; browsers reconnect at once, possibly to this edge again while it
        // still drains, so don't wait the default 30 s for those connections to end.
        builder.ConfigureServices(services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2)));
    }
}
