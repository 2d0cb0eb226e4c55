using System.ComponentModel.DataAnnotations;

namespace CardGame.Edge.Auth;

/// <summary>Token settings, section <c>Auth</c>. Every key is documented with its default in docs/protocol.md.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>
    /// The HS256 key shared by every edge (and any web application that issues tokens), at least
    /// <see cref="MinimumKeyBytes"/> bytes (UTF-8). Required outside <c>Development</c>, where an edge without it does not
    /// start; in Development, when empty, a key is generated once per machine and user and stored in a file, with a
    /// loud warning.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>The <c>iss</c> of issued tokens, and the only one accepted. Default "cardgame".</summary>
    [Required]
    public string Issuer { get; set; } = "cardgame";

    /// <summary>The <c>aud</c> of issued tokens, and the only one accepted. Default "cardgame".</summary>
    [Required]
    public string Audience { get; set; } = "cardgame";

    /// <summary>Minutes a guest token stays valid. Default 720 (12 hours).</summary>
    [Range(1, 525_600)]
    public int TokenLifetimeMinutes { get; set; } = 720;

    /// <summary>
    /// Seconds a token is still accepted after its <c>exp</c> (clocks of issuers and edges differ); a connection whose
    /// token expired is closed this long after <c>exp</c>. Default 30.
    /// </summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Set when <see cref="SigningKey"/> came from the development key file rather than configuration.</summary>
    public string? DevelopmentKeyFile { get; set; }

    public TimeSpan TokenLifetime => TimeSpan.FromMinutes(TokenLifetimeMinutes);

    public TimeSpan ClockSkew => TimeSpan.FromSeconds(ClockSkewSeconds);
}
