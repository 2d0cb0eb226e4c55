using System.Net.Http.Json;
using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Running;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Players;

/// <summary>
/// How every simulated client (player or spectator) gets on an edge: signs in as a guest, opens a hub connection that
/// reconnects by itself, and hands its table events and reconnects to the caller. A failure is counted, not thrown.
/// </summary>
public static class GuestConnection
{
    /// <summary>The guest's player id and its started connection; null (counted) when signing in or connecting failed.</summary>
    public static async Task<(string PlayerId, HubConnection Connection)?> OpenAsync(RunContext run, Uri edge, string name,
        Action<TableEvent> onEvent, Action onReconnecting, Func<Task> onReconnected, Action? onClosed, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await run.Http.PostAsJsonAsync(new Uri(edge, "api/auth/guest"), new { name }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var guest = await response.Content.ReadFromJsonAsync<GuestToken>(cancellationToken)
                ?? throw new InvalidOperationException("empty sign-in answer");
            var connection = HubConnections.Build(edge, "hubs/game", guest.Token, reconnect: true);
            connection.On(nameof(IGameClient.TableEvent), onEvent);
            connection.Reconnecting += _ =>
            {
                onReconnecting();
                return Task.CompletedTask;
            };
            connection.Reconnected += _ =>
            {
                run.Metrics.Reconnected();
                return onReconnected();
            };
            if (onClosed is not null)
            {
                connection.Closed += _ =>
                {
                    onClosed();
                    return Task.CompletedTask;
                };
            }

            await connection.StartAsync(cancellationToken);
            return (guest.PlayerId, connection);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            run.Metrics.ConnectFailed();
            run.Metrics.Error("connect:" + ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Closes a connection <see cref="OpenAsync"/> opened, if any: at the end of a run, a connection that fails
    /// to close cleanly changes nothing.</summary>
    public static async ValueTask CloseAsync(HubConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception)
        {
            // Shutting down.
        }
    }
}
