using System.Net;
using System.Net.Http.Json;
using CardGame.Edge.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>A real edge: the production Program on Kestrel, on a free loopback port, with test configuration.</summary>
public sealed class EdgeServer : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private EdgeServer(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        _settings = settings;
        _services = services;
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    public LogCapture Logs { get; } = new();

    public Uri Address { get; private set; } = null!;

    public Uri HubUrl => new(Address, "/hubs/game");

    public HttpClient Http { get; private set; } = null!;

    /// <summary>
    /// Starts an edge; with <paramref name="waitUntilReady"/>, returns once it reaches the cluster. <paramref name="services"/>
    /// adds to the edge's services (e.g. an in-memory trace exporter).
    /// </summary>
    public static async Task<EdgeServer> StartAsync(IReadOnlyDictionary<string, string?> settings, bool waitUntilReady = true,
        Action<IServiceCollection>? services = null)
    {
        var edge = new EdgeServer(settings, services);
        edge.StartServer();
        var address = edge.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        edge.Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        edge.Http = new HttpClient { BaseAddress = edge.Address };
        if (waitUntilReady)
        {
            await edge.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        }

        return edge;
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await Http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the edge at {Address} did not reach the cluster within {timeout}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<GuestSignInResponse> SignInAsync(string name)
    {
        using var response = await Http.PostAsJsonAsync("/api/auth/guest", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestSignInResponse>())!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(Logs);
        });
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await base.DisposeAsync();
    }
}
