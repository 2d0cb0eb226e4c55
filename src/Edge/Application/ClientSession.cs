using CardGame.Edge.Auth;

namespace CardGame.Edge.Application;

/// <summary>One client connection's state on this edge, the same for every transport: who it plays as, and until when.</summary>
public sealed class ClientSession(IClientConnection connection)
{
    public IClientConnection Connection { get; } = connection;

    /// <summary>Set by a token at connect or by authenticating; never changes afterwards.</summary>
    public PlayerIdentity? Player { get; set; }

    /// <summary>Whether the player grain has been told the player's name on this connection.</summary>
    public bool SignedIn { get; set; }

    /// <summary>Guards <see cref="TokenExpiresAt"/>, which a timer reads too, and the request budget.</summary>
    public Lock Gate { get; } = new();

    /// <summary>When the token this connection authenticated with stops being accepted; null without a token.</summary>
    public DateTimeOffset? TokenExpiresAt { get; set; }

    /// <summary>The deadline <see cref="TokenExpiry"/> watches for this connection (UTC ticks), while <see cref="ExpiryOrder"/> is not 0.</summary>
    internal long ExpiryTicks { get; set; }

    /// <summary>Which of <see cref="TokenExpiry"/>'s deadlines is this connection's; 0 when none is (guarded by <see cref="TokenExpiry"/>).</summary>
    internal long ExpiryOrder { get; set; }

    /// <summary>Requests this connection may still make at once (<see cref="RequestLimiter"/>), under <see cref="Gate"/>.</summary>
    public double RequestTokens { get; set; }

    /// <summary>When <see cref="RequestTokens"/> was last counted (a <see cref="TimeProvider"/> timestamp); null before the first request.</summary>
    public long? RequestTokensAt { get; set; }
}
