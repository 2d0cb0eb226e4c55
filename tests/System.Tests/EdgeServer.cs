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

    /// <summary>
    /// Starts the edge and returns once it answers 200 on <c>/health/ready</c>: it has reached the cluster and warmed up.
    /// Kestrel listens before that (the cluster client connects in the background), and a call meanwhile could be
    /// answered <c>unavailable</c> on a busy machine.
    /// </summary>
    public async Task<Uri> StartAsync()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        BaseAddress = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return BaseAddress;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the edge at {BaseAddress} was not ready within 120 s");
            }

            await Task.Delay(100);
        }
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
