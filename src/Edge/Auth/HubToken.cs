using System.Security.Claims;

namespace CardGame.Edge.Auth;

/// <summary>
/// The principal of a hub request whose token checked out (<see cref="AuthExtensions.UseHubTokenCheck"/>): no identity
/// and no claims, only what the connection's session takes from the token when the connection opens, the player and
/// when the token expires. SignalR keeps a connection's principal twice (the connection's user and the request's) for the
/// connection's whole life; the token's own principal, with its identity, three claims and their strings, was about
/// 0.5 KiB of that per connection, read once.
/// </summary>
public sealed class HubToken(PlayerIdentity player, DateTimeOffset? expiresAt) : ClaimsPrincipal
{
    public PlayerIdentity Player { get; } = player;

    public DateTimeOffset? ExpiresAt { get; } = expiresAt;
}
