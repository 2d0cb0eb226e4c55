using System.Security.Claims;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using CardGame.Edge.Limits;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>
/// A connection's life as a player: it becomes one with a token (at connect or through Authenticate), counts toward
/// the player's local connections, signs in with the player grain (which names the room the player sits at, so the
/// edge subscribes to it before returning), and stops counting when it closes.
/// </summary>
public sealed partial class PlayerSessions(
    ClusterConnection cluster,
    LocalPlayers players,
    TableSubscriptions subscriptions,
    ConnectionReporter reporter,
    TokenExpiry expiry,
    ConnectionLimits limits,
    AuthenticationDeadline deadline,
    GameHubLifetimeManager connections,
    IHubContext<GameHub, IGameClient> hub,
    IOptions<EdgeOptions> options,
    ILogger<PlayerSessions> logger)
{
    /// <summary>
    /// A connection opened: it counts toward its address's cap; without a token it must authenticate before the
    /// deadline; with a valid token it plays as the token's player right away, within the player's cap. A connection
    /// over a cap is closed with <c>limit_reached</c>.
    /// </summary>
    public async Task ConnectedAsync(HubCallerContext context)
    {
        var connectionId = context.ConnectionId;
        if (!limits.TryOpen(connectionId, context.GetHttpContext()?.Connection.RemoteIpAddress))
        {
            LogRefused(logger, connectionId, "address");
            await connections.CloseAsync(connectionId, $"{ErrorCodes.LimitReached}: {limits.Message}");
            return;
        }

        if (PlayerIdentity.From(context.User) is not { } player)
        {
            deadline.Start(connectionId, async () =>
                ConnectionSession.Of(context).Player is null
                && await connections.CloseAsync(connectionId, $"{ErrorCodes.AuthRequired}: {deadline.Message}"));
            return;
        }

        if (!TryAttach(context, player))
        {
            LogRefused(logger, connectionId, "player");
            await connections.CloseAsync(connectionId, $"{ErrorCodes.LimitReached}: {PerPlayerMessage}");
            return;
        }

        expiry.Track(context, context.User?.Identities.FirstOrDefault(i => i.IsAuthenticated));
        try
        {
            await SignInAsync(context, player);
        }
        catch (Exception ex) when (ClusterErrors.IsUnavailable(ex))
        {
            // The connection stays open: its next invocation signs in again, or fails with unavailable.
            LogSignInDeferred(logger, player.PlayerId, context.ConnectionId);
        }
    }

    /// <summary>
    /// <c>Authenticate(token)</c> with a validated token (its <paramref name="claims"/>); for the connection's own player
    /// again, a fresh token keeps the connection open until that one expires.
    /// </summary>
    public async Task<Welcome> AuthenticateAsync(HubCallerContext context, PlayerIdentity player, ClaimsIdentity? claims)
    {
        var session = ConnectionSession.Of(context);
        if (session.Player is { } current && current.PlayerId != player.PlayerId)
        {
            throw GameErrors.BadRequest("this connection already plays as another player; open a new connection to switch");
        }

        if (session.Player is null)
        {
            if (!TryAttach(context, player))
            {
                throw GameErrors.Create(ErrorCodes.LimitReached, PerPlayerMessage);
            }

            deadline.Stop(context.ConnectionId);
        }

        expiry.Track(context, claims);

        return await SignInAsync(context, player);
    }

    /// <summary>The connection's player, signed in with the player grain; <c>auth_required</c> if it has none.</summary>
    public async Task<PlayerIdentity> RequirePlayerAsync(HubCallerContext context)
    {
        var session = ConnectionSession.Of(context);
        if (session.Player is not { } player)
        {
            throw GameErrors.AuthRequired();
        }

        if (!session.SignedIn)
        {
            await SignInAsync(context, player);
        }

        return player;
    }

    public void Disconnected(HubCallerContext context)
    {
        TokenExpiry.Forget(context);
        deadline.Stop(context.ConnectionId);
        limits.Close(context.ConnectionId);
        var (connection, remaining) = players.Remove(context.ConnectionId);
        if (connection is null)
        {
            return;
        }

        connection.Outbox.Close();
        reporter.CountChanged(connection.PlayerId);
        LogDisconnected(logger, connection.PlayerId, context.ConnectionId, remaining);
    }

    private string PerPlayerMessage => $"at most {options.Value.MaxConnectionsPerPlayer} connections of one player on this server; close one first";

    /// <summary>The connection plays as <paramref name="player"/>, unless the player is at their cap here.</summary>
    private bool TryAttach(HubCallerContext context, PlayerIdentity player)
    {
        var outbox = new ConnectionOutbox(context, hub, options.Value.MaxQueuedEventsPerConnection, logger);
        var count = players.TryAdd(new LocalConnection(context.ConnectionId, player.PlayerId, outbox), options.Value.MaxConnectionsPerPlayer);
        if (count == 0)
        {
            outbox.Close();
            return false;
        }

        ConnectionSession.Of(context).Player = player;
        reporter.CountChanged(player.PlayerId);
        LogConnected(logger, player.PlayerId, context.ConnectionId, count);
        return true;
    }

    private async Task<Welcome> SignInAsync(HubCallerContext context, PlayerIdentity player)
    {
        var welcome = await cluster.Grains.GetGrain<IPlayerGrain>(player.PlayerId).SignIn(player.Name);
        if (welcome.RoomId is { } roomId)
        {
            // Subscribed before the client learns the room, so its next GetTable misses nothing after the view.
            using var hold = await subscriptions.HoldAsync(roomId, refresh: true);
            players.Seated(player.PlayerId, roomId, hold.Seq ?? 0);
        }
        else
        {
            players.SeatedNowhere(player.PlayerId);
        }

        ConnectionSession.Of(context).SignedIn = true;
        return welcome;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Player {PlayerId} connected on {ConnectionId} ({Connections} here)")]
    private static partial void LogConnected(ILogger logger, string playerId, string connectionId, int connections);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Player {PlayerId} disconnected from {ConnectionId} ({Connections} left here)")]
    private static partial void LogDisconnected(ILogger logger, string playerId, string connectionId, int connections);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused connection {ConnectionId}: its {Cap} is at its connection cap")]
    private static partial void LogRefused(ILogger logger, string connectionId, string cap);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerId} connected on {ConnectionId} while the cluster is unavailable; signing in later")]
    private static partial void LogSignInDeferred(ILogger logger, string playerId, string connectionId);
}
