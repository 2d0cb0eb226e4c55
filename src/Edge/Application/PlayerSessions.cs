using System.Security.Claims;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using CardGame.Edge.Limits;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Application;

/// <summary>
/// A connection's life as a player, whatever its transport: it becomes one with a token (at connect or by
/// authenticating), counts toward the player's local connections, signs in with the player grain (which names the room
/// the player sits at, so the edge subscribes to it before returning), and stops counting when it closes.
/// </summary>
public sealed partial class PlayerSessions(
    ClusterConnection cluster,
    LocalPlayers players,
    TableSeats seats,
    LocalSpectators spectators,
    LobbyWatchers lobby,
    TableSubscriptions subscriptions,
    TokenExpiry expiry,
    ConnectionLimits limits,
    AuthenticationDeadline deadline,
    IOptions<EdgeOptions> options,
    ILogger<PlayerSessions> logger)
{
    /// <summary>
    /// A connection opened: it counts toward its address's cap; without a token it must authenticate before the
    /// deadline; with a valid token (<paramref name="token"/>) it plays as the token's player right away, within the
    /// player's cap. A connection over a cap is closed with <c>limit_reached</c>.
    /// </summary>
    public async Task ConnectedAsync(ClientSession session, HubToken? token)
    {
        var connectionId = session.Connection.Id;
        if (!limits.TryOpen(connectionId, session.Connection.RemoteAddress))
        {
            LogRefused(logger, connectionId, "address");
            await session.Connection.CloseAsync(new GameError(ErrorCodes.LimitReached, limits.Message));
            return;
        }

        if (token?.Player is not { } player)
        {
            deadline.Start(connectionId, async () =>
                session.Player is null
                && await session.Connection.CloseAsync(new GameError(ErrorCodes.AuthRequired, deadline.Message)));
            return;
        }

        if (!TryAttach(session, player))
        {
            LogRefused(logger, connectionId, "player");
            await session.Connection.CloseAsync(PerPlayerLimit);
            return;
        }

        expiry.Track(session, token.ExpiresAt);
        try
        {
            await SignInAsync(session, player);
        }
        catch (Exception ex) when (ClusterErrors.IsUnavailable(ex))
        {
            // The connection stays open: its next request signs in again, or fails with unavailable.
            LogSignInDeferred(logger, player.PlayerId, connectionId);
        }
    }

    /// <summary>
    /// Authenticating with a validated token (its <paramref name="claims"/>); for the connection's own player again, a
    /// fresh token keeps the connection open until that one expires.
    /// </summary>
    public async Task<Welcome> AuthenticateAsync(ClientSession session, PlayerIdentity player, ClaimsIdentity? claims)
    {
        if (session.Player is { } current && current.PlayerId != player.PlayerId)
        {
            throw new GameException(GameError.BadRequest("this connection already plays as another player; open a new connection to switch"));
        }

        if (session.Player is null)
        {
            if (!TryAttach(session, player))
            {
                throw new GameException(PerPlayerLimit);
            }

            deadline.Stop(session.Connection.Id);
        }

        expiry.Track(session, claims);

        return await SignInAsync(session, player);
    }

    /// <summary>
    /// The connection's player, signed in with the player grain; <c>auth_required</c> if it has none. Every request
    /// asks, and nearly always the player has signed in: then nothing is made (no task).
    /// </summary>
    public ValueTask<PlayerIdentity> RequirePlayerAsync(ClientSession session)
    {
        if (session.Player is not { } player)
        {
            return ValueTask.FromException<PlayerIdentity>(new GameException(GameError.AuthRequired()));
        }

        return session.SignedIn ? new(player) : new(SignInFirstAsync(session, player));
    }

    private async Task<PlayerIdentity> SignInFirstAsync(ClientSession session, PlayerIdentity player)
    {
        await SignInAsync(session, player);
        return player;
    }

    public void Disconnected(ClientSession session)
    {
        var connectionId = session.Connection.Id;
        expiry.Forget(session);
        deadline.Stop(connectionId);
        limits.Close(connectionId);
        var (connection, remaining) = players.Remove(connectionId);
        if (connection is null)
        {
            return;
        }

        connection.Outbox.Close();
        lobby.Unwatch(connection.ConnectionId);
        foreach (var watched in spectators.RemoveConnection(connection.ConnectionId))
        {
            _ = subscriptions.WatchersChangedAsync(watched);
        }

        LogDisconnected(logger, connection.PlayerId, connectionId, remaining);
    }

    private GameError PerPlayerLimit =>
        new(ErrorCodes.LimitReached, $"at most {options.Value.MaxConnectionsPerPlayer} connections of one player on this server; close one first");

    /// <summary>The connection plays as <paramref name="player"/>, unless the player is at their cap here.</summary>
    private bool TryAttach(ClientSession session, PlayerIdentity player)
    {
        var connectionId = session.Connection.Id;
        var outbox = new ConnectionOutbox(session.Connection, options.Value.MaxQueuedEventsPerConnection, logger);
        var count = players.TryAdd(new LocalConnection(connectionId, player.PlayerId, outbox), options.Value.MaxConnectionsPerPlayer);
        if (count == 0)
        {
            outbox.Close();
            return false;
        }

        session.Player = player;
        LogConnected(logger, player.PlayerId, connectionId, count);
        return true;
    }

    private async Task<Welcome> SignInAsync(ClientSession session, PlayerIdentity player)
    {
        var welcome = await cluster.Grains.GetGrain<IPlayerGrain>(player.PlayerId).SignIn(player.Name);
        if (welcome.RoomId is { } roomId)
        {
            // Subscribed before the client learns the room, so its next request misses nothing after the view.
            using var hold = await subscriptions.HoldAsync(roomId, refresh: true);
            // The table's own word on who sits there keeps the edge following it after the hold (a room that closed
            // since the player grain looked says nothing).
            if (!hold.RoomMissing && (await cluster.Grains.GetGrain<ITableGrain>(roomId).GetView(player.PlayerId)).Value is { } view)
            {
                seats.Said(view);
            }
        }

        session.SignedIn = true;
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
