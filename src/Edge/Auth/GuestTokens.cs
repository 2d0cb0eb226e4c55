using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CardGame.Edge.Auth;

/// <summary>
/// Issues guest tokens, and validates tokens handed to <c>Authenticate</c> with exactly the parameters the JwtBearer
/// handler uses at connect (signature, expiry, issuer, audience).
/// </summary>
public sealed class GuestTokens(IOptions<AuthOptions> options, IOptionsMonitor<JwtBearerOptions> jwtOptions, TimeProvider time)
{
    private const string PlayerIdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>A signed token for a new guest player named <paramref name="name"/> (already validated).</summary>
    public GuestSignInResponse Issue(string name)
    {
        var auth = options.Value;
        var now = time.GetUtcNow();
        var expires = now + auth.TokenLifetime;
        var playerId = "p" + RandomNumberGenerator.GetString(PlayerIdAlphabet, 16);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [PlayerIdentity.SubjectClaim] = playerId,
                [PlayerIdentity.NameClaim] = name,
            },
            SigningCredentials = new SigningCredentials(SigningKey(auth), SecurityAlgorithms.HmacSha256),
        });
        return new GuestSignInResponse(token, playerId, name, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>
    /// Validates <paramref name="token"/>: the identity and the token's claims, or the error code <c>invalid_token</c> /
    /// <c>token_expired</c>.
    /// </summary>
    public async Task<(PlayerIdentity? Player, ClaimsIdentity? Claims, string? ErrorCode)> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 8192)
        {
            return (null, null, ErrorCodes.InvalidToken);
        }

        var parameters = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return (null, null, result.Exception is SecurityTokenExpiredException ? ErrorCodes.TokenExpired : ErrorCodes.InvalidToken);
        }

        return PlayerIdentity.From(result.ClaimsIdentity) is { } player
            ? (player, result.ClaimsIdentity, null)
            : (null, null, ErrorCodes.InvalidToken);
    }

    public static SymmetricSecurityKey SigningKey(AuthOptions auth) =>
        new(Encoding.UTF8.GetBytes(auth.SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is not resolved")));

    public static TokenValidationParameters ValidationParameters(AuthOptions auth) => new()
    {
        ValidIssuer = auth.Issuer,
        ValidAudience = auth.Audience,
        IssuerSigningKey = SigningKey(auth),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = auth.ClockSkew,
        NameClaimType = PlayerIdentity.NameClaim,
        AuthenticationType = JwtBearerDefaults.AuthenticationScheme,
    };
}
