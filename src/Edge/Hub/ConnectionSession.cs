using CardGame.Edge.Auth;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>Who a connection plays as, kept in <see cref="HubCallerContext.Items"/> (hubs themselves are transient).</summary>
public sealed class ConnectionSession
{
    private static readonly object Key = new();

    /// <summary>Set by a token at connect or by Authenticate; never changes afterwards.</summary>
    public PlayerIdentity? Player { get; set; }

    /// <summary>Whether the player grain has been told the player's name on this connection.</summary>
    public bool SignedIn { get; set; }

    /// <summary>Guards <see cref="TokenExpiresAt"/> and <see cref="ExpiryTimer"/>, which a timer reads too.</summary>
    public Lock Gate { get; } = new();

    /// <summary>When the token this connection authenticated with stops being accepted; null without a token.</summary>
    public DateTimeOffset? TokenExpiresAt { get; set; }

    /// <summary>Closes the connection at <see cref="TokenExpiresAt"/> (<see cref="TokenExpiry"/>).</summary>
    public ITimer? ExpiryTimer { get; set; }

    public static ConnectionSession Of(HubCallerContext context)
    {
        if (!context.Items.TryGetValue(Key, out var session))
        {
            context.Items[Key] = session = new ConnectionSession();
        }

        return (ConnectionSession)session!;
    }
}
