using System.Security.Claims;
using CardGame.Contracts.Protocol;

namespace CardGame.Edge.Auth;

/// <summary>Who a connection plays as, from a validated token: <c>sub</c> is the player id, <c>name</c> the display name.</summary>
public sealed record PlayerIdentity(string PlayerId, string Name)
{
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";

    public const int MaxNameLength = 24;
    private const int MaxPlayerIdLength = 128;

    /// <summary>The identity in <paramref name="claims"/>, or null when it has no usable <c>sub</c>.</summary>
    public static PlayerIdentity? From(ClaimsIdentity? claims)
    {
        var playerId = claims?.FindFirst(SubjectClaim)?.Value;
        if (claims is not { IsAuthenticated: true } || string.IsNullOrEmpty(playerId) || playerId.Length > MaxPlayerIdLength || playerId.Any(char.IsControl))
        {
            return null;
        }

        // Tokens from another issuer may carry a longer or missing name: fall back to the id, and clip.
        var name = NormalizeName(claims.FindFirst(NameClaim)?.Value) ?? NormalizeName(playerId) ?? "player";
        return new PlayerIdentity(playerId, name);
    }

    public static PlayerIdentity? From(ClaimsPrincipal? user) => From(user?.Identities.FirstOrDefault(i => i.IsAuthenticated));

    /// <summary>
    /// A display name: trimmed, 1–24 characters, none of them a control or invisible format character
    /// (<see cref="DisplayText"/>); else null.
    /// </summary>
    public static string? ValidName(string? name)
    {
        var trimmed = name?.Trim();
        return trimmed is { Length: >= 1 and <= MaxNameLength } && DisplayText.IsClean(trimmed) ? trimmed : null;
    }

    private static string? NormalizeName(string? name)
    {
        var cleaned = DisplayText.Clean(name ?? "").Trim();
        return cleaned.Length == 0 ? null : cleaned.Length <= MaxNameLength ? cleaned : cleaned[..MaxNameLength].TrimEnd();
    }
}
