using System.Threading.Channels;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Cluster;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Delivery;

/// <summary>
/// The local connections watching the lobby, and this edge's one <see cref="ILobbyObserver"/>: while at least one
/// connection watches, the edge is subscribed once to every directory shard (refreshed every
/// <see cref="EdgeOptions.SubscriptionRefreshSeconds"/>; shards expire subscriptions not refreshed), and hands every
/// batch of room-list changes to each watching connection, in order, each change encoded once for all of them. Nothing
/// per watcher reaches the cluster.
/// </summary>
public sealed partial class LobbyWatchers(
    ClusterConnection cluster,
    EdgeNode edge,
    IOptions<EdgeOptions> options,
    ILogger<LobbyWatchers> logger) : BackgroundService, ILobbyObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LocalConnection> _watchers = [];
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);
    private readonly Channel<IReadOnlyList<LobbyEvent>> _batches =
        Channel.CreateUnbounded<IReadOnlyList<LobbyEvent>>(new UnboundedChannelOptions { SingleReader = true });

    private ILobbyObserver? _reference;
    private bool _subscribed;

    /// <summary>Connections watching the lobby on this edge.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>
    /// Adds a watcher; the first one subscribes this edge to every shard before returning, so the room list the caller
    /// reads next misses no change after it.
    /// </summary>
    public async Task WatchAsync(LocalConnection connection)
    {
        lock (_gate)
        {
            _watchers[connection.ConnectionId] = connection;
        }

        if (!_subscribed)
        {
            try
            {
                await SubscribeAllAsync(throwOnFailure: true);
            }
            catch
            {
                Unwatch(connection.ConnectionId);
                throw;
            }
        }
    }

    /// <summary>Stops a connection watching; false if it was not.</summary>
    public bool Unwatch(string connectionId)
    {
        lock (_gate)
        {
            return _watchers.Remove(connectionId);
        }
    }

    public Task OnLobbyEvents(IReadOnlyList<LobbyEvent> events)
    {
        _batches.Writer.TryWrite(events);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var deliver = DeliverAllAsync(stoppingToken);
        await cluster.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.SubscriptionRefresh);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (Count > 0)
            {
                await SubscribeAllAsync(throwOnFailure: false);
            }
            else if (_subscribed)
            {
                await UnsubscribeAllAsync();
            }
        }

        await deliver;
    }

    private async Task DeliverAllAsync(CancellationToken stoppingToken)
    {
        while (await _batches.Reader.WaitToReadAsync(stoppingToken))
        {
            // Every batch that has arrived (from any shard), handed to each watcher together: one post, and so at most
            // one write, per watcher for all of them. Each change encoded once per edge (by the first watcher's send).
            var prepared = new List<PreparedEvent<LobbyEvent>>();
            while (_batches.Reader.TryRead(out var batch))
            {
                prepared.AddRange(batch.Select(lobbyEvent => new PreparedEvent<LobbyEvent>(lobbyEvent)));
            }

            List<LocalConnection> watchers;
            lock (_gate)
            {
                watchers = [.. _watchers.Values];
            }

            foreach (var watcher in watchers)
            {
                watcher.Outbox.Post(prepared);
            }
        }
    }

    private async Task SubscribeAllAsync(bool throwOnFailure)
    {
        await _subscribeGate.WaitAsync();
        try
        {
            _reference ??= cluster.Grains.CreateObjectReference<ILobbyObserver>(this);
            await Task.WhenAll(Enumerable.Range(0, RoomDirectory.Shards)
                .Select(shard => cluster.Grains.GetGrain<IRoomDirectoryGrain>(shard).Subscribe(edge.EdgeId, _reference)));
            _subscribed = true;
        }
        catch (Exception ex) when (!throwOnFailure)
        {
            LogSubscribeFailed(logger, ex);
        }
        finally
        {
            _subscribeGate.Release();
        }
    }

    private async Task UnsubscribeAllAsync()
    {
        await _subscribeGate.WaitAsync();
        try
        {
            if (Count == 0)
            {
                _subscribed = false;
                await Task.WhenAll(Enumerable.Range(0, RoomDirectory.Shards)
                    .Select(shard => cluster.Grains.GetGrain<IRoomDirectoryGrain>(shard).Unsubscribe(edge.EdgeId)));
            }
        }
        catch (Exception ex)
        {
            // The shards expire the subscription once it is no longer refreshed.
            LogUnsubscribeFailed(logger, ex);
        }
        finally
        {
            _subscribeGate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the lobby subscriptions failed; retrying at the next refresh")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from the lobby failed; the shards will expire it")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception);
}
