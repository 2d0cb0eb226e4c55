using System.Net.Http.Json;
using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Lobby;

/// <summary>
/// One connection watching the lobby (<c>WatchLobby</c>) as a browser does: signs in as a guest, connects, asks for
/// the room list, then takes the time of the first <c>LobbyEvent</c> that delivers each change of the current round
/// (the clock read first thing in the handler, on the same clock as the time the change was sent). It does not
/// reconnect: a connection that drops misses what it did not get, and every such change counts as a miss.
/// </summary>
public sealed class LobbyWatcher(HubConnection connection) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private LobbyRound? _round;
    private long[] _receivedAt = [];

    public bool Closed { get; private set; }

    /// <summary>The watcher, listing the lobby; null when signing in, connecting or <c>WatchLobby</c> failed.</summary>
    public static async Task<LobbyWatcher?> ConnectAsync(HttpClient http, Uri edge, string name, Action<string> error, CancellationToken cancellationToken)
    {
        HubConnection? connection = null;
        try
        {
            using var response = await http.PostAsJsonAsync(new Uri(edge, "api/auth/guest"), new { name }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var guest = await response.Content.ReadFromJsonAsync<GuestToken>(cancellationToken)
                ?? throw new InvalidOperationException("empty sign-in answer");
            connection = HubConnections.Build(edge, "hubs/game", guest.Token);
            var watcher = new LobbyWatcher(connection);
            connection.On<LobbyEvent>(nameof(IGameClient.LobbyEvent), watcher.OnLobbyEvent);
            connection.Closed += _ =>
            {
                watcher.Closed = true;
                return Task.CompletedTask;
            };
            await connection.StartAsync(cancellationToken);
            await connection.InvokeAsync<RoomInfo[]>(nameof(IGameHub.WatchLobby), cancellationToken);
            return watcher;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error("watch:" + ex.GetType().Name);
            await GuestConnection.CloseAsync(connection);
            return null;
        }
    }

    /// <summary>From now on, times the deliveries of <paramref name="round"/>'s changes.</summary>
    public void Expect(LobbyRound round)
    {
        lock (_lock)
        {
            _round = round;
            _receivedAt = new long[round.Changes.Count];
        }
    }

    /// <summary>When each change of the current round arrived (a <see cref="Clock"/> timestamp), 0 for one that has not.</summary>
    public long[] ReceivedAt()
    {
        lock (_lock)
        {
            return [.. _receivedAt];
        }
    }

    public ValueTask DisposeAsync() => GuestConnection.CloseAsync(connection);

    private void OnLobbyEvent(LobbyEvent lobbyEvent)
    {
        var at = Clock.Now;
        LobbyRound? delivered = null;
        lock (_lock)
        {
            if (_round is { } round && round.IndexOf(lobbyEvent.Room) is var i and >= 0 && _receivedAt[i] == 0)
            {
                _receivedAt[i] = at;
                delivered = round;
            }
        }

        delivered?.Delivered();
    }
}
