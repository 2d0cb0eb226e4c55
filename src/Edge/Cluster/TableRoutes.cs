using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CardGame.Contracts.Grains;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Messaging;

namespace CardGame.Edge.Cluster;

/// <summary>
/// Sends a table's calls to the silo that hosts it. The main Orleans client sends a grain call through the gateway
/// assigned to the grain's hash bucket, chosen without knowing where the grain lives, so with N silos (N−1)/N of the
/// calls are forwarded gateway → hosting silo and back. Every table result names the gateway of the silo that
/// answered (<see cref="GameResult{T}.Gateway"/>); this edge remembers it per room and sends that room's next calls
/// through a <see cref="SiloClient"/> bound to that gateway, created on first need. A hint that is missing, stale (the
/// table moved: the call is forwarded once and its answer brings the new hint) or names a silo that is gone (its
/// client is dropped; the call goes through the main client) costs at most the detour it saves. Each per-silo client
/// also carries an observer of this edge (<see cref="EdgeNode.ObserverFor"/>), so the table's event batches and their
/// acknowledgments cross one connection too; <see cref="RoutesChanged"/> names the rooms whose route changed, for the
/// edge to subscribe to them again with the right observer. <c>Edge:RouteTableCalls</c> (default true) turns it off.
/// When the edge starts, it connects to every active silo's gateway before it reports ready (<see cref="Warmed"/>):
/// built on first need, the clients were built while the players of a draining edge were reconnecting here, and
/// building them kept a freshly started edge from answering those players' <c>Resume</c> for seconds. After that it
/// asks for the active silos every second and connects to one that joined or came back from a restart.
/// A room with no connected route of its own (never learned, its client still connecting, or its silo's route dropped
/// because that silo is leaving) is called through another connected per-silo client, chosen by the room's id, and
/// through the main client only when there is none: the main client picks a gateway without knowing that a silo is
/// leaving (after a rolling restart's first silo, Orleans' client may even take the leaving silo's gateway back as its
/// only live one), and a stopping gateway drops the answers coming back through it. A dropped route is never chosen:
/// its client is gone.
/// </summary>
public sealed partial class TableRoutes(
    ClusterConnection cluster,
    ClusterClientSettings settings,
    IOptions<EdgeOptions> options,
    ILoggerFactory loggers,
    IMeterFactory meters,
    ILogger<TableRoutes> logger) : IHostedService
{
    /// <summary>How long after a failed connection to a silo's gateway its calls go through the main client.</summary>
    private static readonly TimeSpan RetryConnectAfter = TimeSpan.FromSeconds(10);

    /// <summary>How often this edge asks the cluster for its active silos, to connect to one that joined or came back.</summary>
    private static readonly TimeSpan LookForSilosEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long after a route was dropped this edge counts a silo as leaving (<see cref="Leaving"/>).</summary>
    private static readonly TimeSpan LeavingFor = TimeSpan.FromSeconds(10);

    /// <summary>Per-silo clients a call tries before the main client (each one that fails is dropped first).</summary>
    private const int MaxSendAttempts = 4;

    /// <summary>The most rooms whose silo this edge remembers (rooms are forgotten when the edge stops following them).</summary>
    private const int MaxRooms = 1_000_000;

    private readonly bool _enabled = options.Value.RouteTableCalls;
    private readonly ConcurrentDictionary<string, SiloAddress> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SiloAddress, Route> _silos = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _warmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Route, Task> _closing = new();
    private int _roomCount;
    private long _lastDropAt = long.MinValue / 2;

    /// <summary>
    /// Raised with the rooms whose calls now go another way (a table that answered from another silo, a silo's client
    /// connected or dropped): <see cref="EdgeNode.ObserverFor"/> may name another observer for them now.
    /// </summary>
    public event Action<IReadOnlyCollection<string>>? RoutesChanged;

    /// <summary>The gateway this edge now sends <paramref name="roomId"/>'s calls to, or null for the main client's choice.</summary>
    internal SiloAddress? DirectGatewayOf(string roomId) => RouteOf(roomId) is { Client.IsConnected: true } route ? route.Gateway : null;

    /// <summary>Whether this edge has a connected client of its own for the silo behind <paramref name="gateway"/>.</summary>
    internal bool IsConnectedTo(SiloAddress gateway) =>
        _silos.TryGetValue(SiloAddress.New(gateway.Endpoint, 0), out var route) && route.Client is { IsConnected: true };

    /// <summary>
    /// Cancelled when the connection <paramref name="roomId"/>'s calls now go through is dropped (its silo refused a
    /// call because it is shutting down, or the connection was lost); <see cref="CancellationToken.None"/> when they go
    /// through the main client. A call still waiting on that connection may have lost its answer there (a stopping
    /// gateway drops the answers coming back through it), so <see cref="HedgedCalls"/> sends a repeatable call again
    /// at once instead of after <see cref="EdgeOptions.HedgeAfterMilliseconds"/>.
    /// </summary>
    public CancellationToken RouteDropped(string roomId) =>
        RouteFor(roomId) is { } route ? route.Dropped : CancellationToken.None;

    /// <summary>
    /// Whether a silo's route was dropped less than <see cref="LeavingFor"/> ago: a silo is leaving, and a call may lose
    /// its answer on the way through it with no signal, so <see cref="HedgedCalls"/> repeats sooner.
    /// </summary>
    public bool Leaving => _enabled && Environment.TickCount64 - Volatile.Read(ref _lastDropAt) < (long)LeavingFor.TotalMilliseconds;

    /// <summary>The connected client bound to the gateway of <paramref name="roomId"/>'s silo, or null when there is none.</summary>
    internal SiloClient? ClientOf(string roomId) => RouteOf(roomId)?.Client is { IsConnected: true } client ? client : null;

    /// <summary>The grain factories of the main client and of every connected per-silo client (for <c>EdgeWarmup</c>).</summary>
    internal IReadOnlyList<IGrainFactory> AllClients() =>
        [cluster.Grains, .. _silos.Values.Select(r => r.Client).OfType<SiloClient>().Where(c => c.IsConnected).Select(c => c.Grains)];

    /// <summary>
    /// Calls the table of <paramref name="roomId"/> (<see cref="SendAsync{TResult}"/>) and remembers where a
    /// successful result says it lives.
    /// </summary>
    public async Task<GameResult<T>> CallAsync<T>(string roomId, Func<ITableGrain, Task<GameResult<T>>> call)
        where T : class
    {
        var result = await SendAsync(roomId, call);
        if (result.IsOk)
        {
            Learn(roomId, result.Gateway);
        }

        return result;
    }

    /// <summary>
    /// Calls the table of <paramref name="roomId"/> through its silo's gateway when known and connected, else through
    /// another silo's connected client (<see cref="RouteFor"/>), else through the main client; a call a per-silo
    /// client could not deliver (its gateway refused or is unreachable: the table never saw it) drops that route and
    /// goes again the same way.
    /// </summary>
    public async Task<TResult> SendAsync<TResult>(string roomId, Func<ITableGrain, Task<TResult>> call)
    {
        // Each failed attempt drops its route, so this ends; the bound only guards against a route connecting again meanwhile.
        for (var attempt = 0; attempt < MaxSendAttempts && RouteFor(roomId) is { Client: { } client } route; attempt++)
        {
            try
            {
                return await call(client.Grains.GetGrain<ITableGrain>(roomId));
            }
            catch (Exception ex) when (NotDelivered(ex))
            {
                Drop(route);
                LogNotDelivered(logger, roomId, route.Gateway, ex.GetType().Name, RouteFor(roomId)?.Gateway.ToString() ?? "the main client");
            }
        }

        return await call(cluster.Grains.GetGrain<ITableGrain>(roomId));
    }

    /// <summary><see cref="SendAsync{TResult}"/> for a call without a result.</summary>
    public Task SendAsync(string roomId, Func<ITableGrain, Task> call) =>
        SendAsync(roomId, async table =>
        {
            await call(table);
            return true;
        });

    /// <summary>Remembers where <paramref name="roomId"/>'s table answered from (null: forget it).</summary>
    public void Learn(string roomId, SiloAddress? gateway)
    {
        if (!_enabled)
        {
            return;
        }

        if (gateway is null)
        {
            Forget(roomId);
            return;
        }

        var key = gateway.Generation == 0 ? gateway : SiloAddress.New(gateway.Endpoint, 0);
        var changed = false;
        if (_rooms.TryGetValue(roomId, out var known))
        {
            if (!known.Equals(key))
            {
                _rooms[roomId] = key;
                changed = true;
            }
        }
        else if (Volatile.Read(ref _roomCount) < MaxRooms && _rooms.TryAdd(roomId, key))
        {
            Interlocked.Increment(ref _roomCount);
            changed = true;
        }

        _ = Connect(key);
        if (changed)
        {
            RoutesChanged?.Invoke([roomId]);
        }
    }

    /// <summary>This edge no longer follows <paramref name="roomId"/>.</summary>
    public void Forget(string roomId)
    {
        if (_rooms.TryRemove(roomId, out _))
        {
            Interlocked.Decrement(ref _roomCount);
        }
    }

    /// <summary>
    /// Completes once this edge has tried to connect to every silo active when it connected to the cluster (whether
    /// or not each succeeded): readiness waits for it.
    /// </summary>
    public Task Warmed => _warmed.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            _warmed.TrySetResult();
            return Task.CompletedTask;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(ConnectToActiveSilosAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task ConnectToActiveSilosAsync()
    {
        try
        {
            await cluster.WaitAsync(_stopping.Token);
            var (connected, gateways) = await ConnectToActiveAsync();
            LogWarmed(logger, connected, gateways);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Stopping, or the cluster did not answer: routes are then built on first need, as for a silo that joins later.
            LogWarmFailed(logger, ex.Message);
        }
        finally
        {
            _warmed.TrySetResult();
        }

        // Then a silo that joins (or comes back from a restart) is connected to as soon as it is active, not only when a
        // table answers from it: in a rolling restart the next silo stops a moment after the last one is back, and a
        // call for a table of the leaving silo can go through another silo's client only if the edge has one.
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(LookForSilosEvery, _stopping.Token);
                await ConnectToActiveAsync();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The cluster did not answer this time (a silo leaving, say): the next round asks again.
                LogLookForSilosFailed(logger, ex.Message);
            }
        }
    }

    /// <summary>Starts a client for every active silo's gateway this edge has none for (or whose failure is old enough); returns how many are connected of how many.</summary>
    private async Task<(int Connected, int Gateways)> ConnectToActiveAsync()
    {
        var silos = await cluster.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true)
            .WaitAsync(settings.ResponseTimeout, _stopping.Token);
        var gateways = silos.Where(s => s.ProxyPort > 0)
            .Select(s => SiloAddress.New(new System.Net.IPEndPoint(s.SiloAddress.Endpoint.Address, s.ProxyPort), 0))
            .ToList();
        await Task.WhenAll(gateways.Select(Connect));
        return (_silos.Values.Count(r => r.Client is { IsConnected: true }), gateways.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        var routes = _silos.Values.ToList();
        _silos.Clear();
        await Task.WhenAll(routes.Select(r => r.CloseAsync()).Concat(_closing.Values));
    }

    private Route? RouteOf(string roomId) =>
        _enabled && _rooms.TryGetValue(roomId, out var gateway) && _silos.TryGetValue(gateway, out var route) ? route : null;

    /// <summary>
    /// The connected route <paramref name="roomId"/>'s next call goes through: its own silo's, else another one chosen
    /// by the room's id (the same one for every call while the connected set stays the same), else null (the main
    /// client).
    /// </summary>
    private Route? RouteFor(string roomId)
    {
        if (RouteOf(roomId) is { Client.IsConnected: true } own)
        {
            return own;
        }

        if (_silos.IsEmpty)
        {
            return null;
        }

        var connected = _silos.Values.Where(r => r.Client is { IsConnected: true }).ToList();
        if (connected.Count == 0)
        {
            return null;
        }

        connected.Sort(static (a, b) => a.Gateway.CompareTo(b.Gateway));
        return connected[(int)((uint)StringComparer.Ordinal.GetHashCode(roomId) % (uint)connected.Count)];
    }

    /// <summary>
    /// Starts a client for <paramref name="gateway"/> unless one exists or failed a moment ago; the task completes when
    /// the attempt it started (if any) has ended.
    /// </summary>
    private Task Connect(SiloAddress gateway)
    {
        if (_silos.TryGetValue(gateway, out var existing) && (existing.Client is not null || existing.Connecting || DateTime.UtcNow < existing.RetryAfter))
        {
            return Task.CompletedTask;
        }

        var route = new Route(gateway);
        if (existing is null ? !_silos.TryAdd(gateway, route) : !_silos.TryUpdate(gateway, route, existing))
        {
            return Task.CompletedTask;
        }

        // The client outlives the call that named its silo: it must not carry that call's trace (or anything else of
        // its context) into its own work.
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(() => ConnectAsync(route));
        }
    }

    private async Task ConnectAsync(Route route)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(settings.ResponseTimeout);
            var client = await SiloClient.ConnectAsync(route.Gateway.Endpoint, settings, loggers, meters, _ => Lost(route), timeout.Token);
            route.Client = client;
            LogConnected(logger, route.Gateway);
            if (_stopping.IsCancellationRequested || !_silos.TryGetValue(route.Gateway, out var current) || current != route)
            {
                await route.CloseAsync();
                return;
            }

            RaiseRoutesChanged(route.Gateway);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not reachable (yet, or any more): its rooms' calls go through the main client, and a later hint tries again.
            LogConnectFailed(logger, route.Gateway, ex.Message);
            route.RetryAfter = DateTime.UtcNow + RetryConnectAfter;
        }
        finally
        {
            route.Connecting = false;
        }
    }

    private void Lost(Route route)
    {
        LogLost(logger, route.Gateway);
        Drop(route, closeAfter: TimeSpan.Zero);
    }

    /// <summary>
    /// Drops a silo's client; its rooms go through the main client until a hint names a reachable gateway, and the
    /// edge subscribes to them again with the main client's observer (<see cref="RoutesChanged"/>). A client whose
    /// connection may still be up is closed only <paramref name="closeAfter"/> later: tables keep sending to its
    /// observer until they hear of the other one, and Orleans 10.4 ends the process for an observer call that
    /// arrives as its client is disposed.
    /// </summary>
    private void Drop(Route route, TimeSpan? closeAfter = null)
    {
        var failed = new Route(route.Gateway) { Connecting = false, RetryAfter = DateTime.UtcNow + RetryConnectAfter };
        if (!_silos.TryUpdate(route.Gateway, failed, route))
        {
            return;
        }

        Volatile.Write(ref _lastDropAt, Environment.TickCount64);
        route.MarkDropped();
        RaiseRoutesChanged(route.Gateway);
        foreach (var (closed, _) in _closing.Where(c => c.Value.IsCompleted))
        {
            _closing.TryRemove(closed, out _);
        }

        var delay = closeAfter ?? RetryConnectAfter;
        using (ExecutionContext.SuppressFlow())
        {
            _closing[route] = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(delay, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    // The edge stops: close now.
                }

                await route.CloseAsync();
            });
        }
    }

    /// <summary>Tells <see cref="RoutesChanged"/> about the rooms whose silo is behind <paramref name="gateway"/>.</summary>
    private void RaiseRoutesChanged(SiloAddress gateway)
    {
        if (RoutesChanged is not { } handler)
        {
            return;
        }

        var rooms = _rooms.Where(r => r.Value.Equals(gateway)).Select(r => r.Key).ToList();
        if (rooms.Count > 0)
        {
            handler(rooms);
        }
    }

    /// <summary>
    /// The call never reached a grain: the per-silo client could not connect or send, or a silo refused the message
    /// (a rejection means it was not processed). A timeout or a silo that died after taking the call is not this: the
    /// call may have run, so it is not sent again.
    /// </summary>
    private static bool NotDelivered(Exception exception) => exception is
        ConnectionFailedException or
        OrleansMessageRejectionException or
        GatewayTooBusyException or
        ObjectDisposedException;

    private sealed class Route(SiloAddress gateway)
    {
        private readonly CancellationTokenSource _dropped = new();

        public SiloAddress Gateway { get; } = gateway;

        /// <summary>Cancelled once this route is dropped (<see cref="TableRoutes.RouteDropped"/>).</summary>
        public CancellationToken Dropped => _dropped.Token;

        public volatile SiloClient? Client;

        public volatile bool Connecting = true;

        public DateTime RetryAfter { get; set; }

        /// <summary>
        /// Signals the calls waiting on this route, on the thread pool: their continuations (repeats sent through
        /// another gateway) must not run on the thread that noticed the drop.
        /// </summary>
        public void MarkDropped()
        {
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(_dropped.Cancel);
            }
        }

        public async Task CloseAsync()
        {
            if (Client is { } client)
            {
                await client.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Table calls to the silo behind gateway {Gateway} go straight to it")]
    private static partial void LogConnected(ILogger logger, SiloAddress gateway);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Connected} of {Gateways} silo gateways for direct table calls before reporting ready")]
    private static partial void LogWarmed(ILogger logger, int connected, int gateways);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the silos to connect to before reporting ready: {Reason}; direct table calls start on first need")]
    private static partial void LogWarmFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not list the active silos to connect to: {Reason}; asking again in a moment")]
    private static partial void LogLookForSilosFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not connect to gateway {Gateway} for direct table calls: {Reason}; its tables are called through the main client")]
    private static partial void LogConnectFailed(ILogger logger, SiloAddress gateway, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lost the direct connection to gateway {Gateway}; its tables are called through the main client")]
    private static partial void LogLost(ILogger logger, SiloAddress gateway);

    [LoggerMessage(Level = LogLevel.Information, Message = "A call to room {RoomId} through gateway {Gateway} was not delivered ({Error}); sent again through {Via}")]
    private static partial void LogNotDelivered(ILogger logger, string roomId, SiloAddress gateway, string error, string via);
}
