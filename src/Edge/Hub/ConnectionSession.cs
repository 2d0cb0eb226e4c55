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

    public static ConnectionSession Of(HubCallerContext context)
    {
        if (!context.Items.TryGetValue(Key, out var session))
        {
            context.Items[Key] = session = new ConnectionSession();
        }

        return (ConnectionSession)session!;
    }
}
