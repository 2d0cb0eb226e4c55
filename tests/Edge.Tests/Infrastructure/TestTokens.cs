using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>Tokens made the way a deployment's own web application would, right or deliberately wrong.</summary>
public static class TestTokens
{
    /// <summary>The signing key the test edges share.</summary>
    public const string SigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";

    public static string Create(
        string playerId,
        string name = "tester",
        string key = SigningKey,
        string issuer = "cardgame",
        string audience = "cardgame",
        DateTime? expires = null)
    {
        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expiry.AddHours(-2),
            NotBefore = expiry.AddHours(-2),
            Expires = expiry,
            Claims = new Dictionary<string, object> { ["sub"] = playerId, ["name"] = name },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string NewPlayerId() => "t" + Guid.NewGuid().ToString("N")[..16];
}
