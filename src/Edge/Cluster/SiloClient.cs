using System.Diagnostics.Metrics;
using System.Net;
using CardGame.Contracts.Grains;

namespace CardGame.Edge.Cluster;

/// <summary>
/// An Orleans client of its own bound to one silo's gateway (static clustering, that gateway only), so a call sent
/// through it reaches that silo first, whatever the grain's hash. It shares the edge's logging and its
/// <see cref="IMeterFactory"/>, so its messages are counted in the edge's <c>Microsoft.Orleans</c> meter with the main
/// client's. <see cref="IsConnected"/> turns false for good when its gateway connection is lost.
/// </summary>
internal sealed class SiloClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IClusterClient _client;
    private readonly Lock _gate = new();
    private ITableObserver? _tableObserver;
    private volatile bool _connected;

    private SiloClient(ServiceProvider services)
    {
        _services = services;
        _client = services.GetRequiredService<IClusterClient>();
    }

    public IGrainFactory Grains => _client;

    public bool IsConnected => _connected;

    /// <summary>
    /// A reference to <paramref name="target"/> (created once) that silos reach through this client: its only gateway
    /// is the silo's, so that silo sends a call to it straight down that connection and the answer comes straight back
    /// (an observer of the main client is answered through the gateway of the caller's hash bucket, any silo).
    /// </summary>
    public ITableObserver TableObserver(ITableObserver target)
    {
        lock (_gate)
        {
            return _tableObserver ??= _client.CreateObjectReference<ITableObserver>(target);
        }
    }

    /// <summary>Connects to <paramref name="gateway"/>; <paramref name="lost"/> runs once if the connection is lost after.</summary>
    public static async Task<SiloClient> ConnectAsync(IPEndPoint gateway, ClusterClientSettings settings, ILoggerFactory loggers,
        IMeterFactory meters, Action<SiloClient> lost, CancellationToken cancellationToken)
    {
        SiloClient? self = null;
        var services = new ServiceCollection();
        services.AddSingleton(loggers);
        services.AddSingleton(meters);
        services.AddOrleansClient(client =>
        {
            client.UseStaticClustering(gateway);
            settings.ApplyTo(client);
            client.AddClusterConnectionLostHandler((_, _) =>
            {
                if (self is { _connected: true })
                {
                    self._connected = false;
                    lost(self);
                }
            });
        });
        self = new SiloClient(services.BuildServiceProvider());
        try
        {
            await ((IHostedService)self._client).StartAsync(cancellationToken);
        }
        catch
        {
            await self.DisposeAsync();
            throw;
        }

        self._connected = true;
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        _connected = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await ((IHostedService)_client).StopAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopping a client whose silo is gone may not finish: its connection closes as the provider is disposed.
        }

        await _services.DisposeAsync();
    }
}
