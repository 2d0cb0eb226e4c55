using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Running;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Players;

/// <summary>
/// One simulated spectator on its own SignalR connection: signs in as a guest, watches its group's table
/// (<c>WatchRoom</c>) and checks every event like a player does (<see cref="TableTracker"/>: every seq in order, the
/// public content the seats see, and never a private part: no hand, no taken card). After a dropped connection it
/// watches again and catches up with <c>Resume</c>.
/// </summary>
public sealed class Spectator(int index, Uri edge, TableGroup group, RunContext run) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private HubConnection? _connection;
    private TableTracker? _tracker;
    private string _playerId = "";

    public Uri Edge { get; } = edge;

    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        var opened = await GuestConnection.OpenAsync(run, Edge, $"sp{index}", OnEvent,
            onReconnecting: () =>
            {
                lock (_lock)
                {
                    _tracker?.BeginResume();
                }
            },
            onReconnected: WatchAgainAsync,
            onClosed: null,
            cancellationToken);
        if (opened is not { } guest)
        {
            return false;
        }

        (_playerId, _connection) = guest;
        return true;
    }

    /// <summary>Watches the group's room once seat 0 has created it.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        var connection = _connection ?? throw new InvalidOperationException("not connected");
        try
        {
            var roomId = await group.Room.Task.WaitAsync(cancellationToken);
            lock (_lock)
            {
                _tracker = new TableTracker(roomId, _playerId, run.Violations, spectating: true);
            }

            var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.WatchRoom), roomId, cancellationToken);
            lock (_lock)
            {
                CheckView(view);
                _tracker.OnView(view);
            }
        }
        catch (HubException ex)
        {
            run.Metrics.Error(HubErrors.Code(ex.Message), ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.Metrics.Error("watch:" + ex.GetType().Name);
        }
    }

    public ValueTask DisposeAsync() => GuestConnection.CloseAsync(_connection);

    private void OnEvent(TableEvent tableEvent)
    {
        run.Metrics.EventReceived();
        group.EventReceived(_playerId, tableEvent, Clock.Now);
        bool inOrder;
        lock (_lock)
        {
            if (_tracker is null || tableEvent.RoomId != _tracker.RoomId)
            {
                return;
            }

            inOrder = _tracker.OnEvent(tableEvent);
        }

        if (!inOrder)
        {
            _ = ResyncAsync();
        }
    }

    /// <summary>A new connection watches nothing: watch again, then catch up from the tracked seq with Resume.</summary>
    private async Task WatchAgainAsync()
    {
        if (_connection is not { } connection || _tracker is not { } tracker)
        {
            return;
        }

        try
        {
            var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.WatchRoom), tracker.RoomId);
            CheckView(view);
            if (tracker.Seq is { } seq)
            {
                var resumed = await connection.InvokeAsync<Resumed>(nameof(IGameHub.Resume), tracker.RoomId, seq);
                lock (_lock)
                {
                    if (!tracker.OnResumed(resumed))
                    {
                        tracker.Resync(view);
                    }
                }
            }
            else
            {
                lock (_lock)
                {
                    tracker.Resync(view);
                }
            }
        }
        catch (Exception ex) when (!run.IsStopping)
        {
            run.Metrics.Error(ex is HubException hub ? HubErrors.Code(hub.Message) : "rewatch:" + ex.GetType().Name, ex.Message);
        }
        catch (Exception)
        {
            // Stopping.
        }
    }

    private async Task ResyncAsync()
    {
        if (_connection is not { } connection || _tracker is not { } tracker)
        {
            return;
        }

        try
        {
            var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.GetTable), tracker.RoomId);
            lock (_lock)
            {
                CheckView(view);
                tracker.Resync(view);
            }
        }
        catch (Exception ex) when (!run.IsStopping)
        {
            run.Metrics.Error(ex is HubException hub ? HubErrors.Code(hub.Message) : "resync:" + ex.GetType().Name, ex.Message);
        }
        catch (Exception)
        {
            // Stopping.
        }
    }

    /// <summary>A spectator's view never holds a hand.</summary>
    private void CheckView(TableView view)
    {
        if (view.Hand is not null)
        {
            run.Violations.Report(ViolationKinds.ForeignHand, $"{view.RoomId} view {view.Seq}: spectator {_playerId} was shown a hand");
        }
    }
}
