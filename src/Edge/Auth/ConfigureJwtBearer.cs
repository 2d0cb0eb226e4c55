using System.Security.Claims;
using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Auth;

/// <summary>
/// The JwtBearer scheme validates tokens issued by <see cref="GuestTokens"/> (or by anyone holding the key), taken
/// from the Authorization header or, on the hub path only, from the <c>access_token</c> query parameter that
/// browsers' WebSockets must use.
/// </summary>
public sealed class ConfigureJwtBearer(IOptions<AuthOptions> auth) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        options.MapInboundClaims = false;
        // A hub connection keeps its HttpContext, and so its principal and authentication result, for its whole life.
        options.SaveToken = false;
        options.TokenValidationParameters = GuestTokens.ValidationParameters(auth.Value);
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                if (context.HttpContext.Request.Path.StartsWithSegments(GameHub.Path)
                    && context.Request.Query["access_token"] is { Count: > 0 } token)
                {
                    context.Token = token.ToString();
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                // Keep only the claims the edge reads (sub, name, exp), not the parsed token with all its claims:
                // about 2 KB less per connection, for as long as the connection lives.
                if (context.Principal?.Identities.FirstOrDefault(i => i.IsAuthenticated) is { } identity)
                {
                    context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                        identity.Claims.Where(c => c.Type is PlayerIdentity.SubjectClaim or PlayerIdentity.NameClaim or ExpiryClaim)
                            .Select(c => new Claim(c.Type, c.Value, c.ValueType)),
                        identity.AuthenticationType));
                }

                return Task.CompletedTask;
            },
        };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    private const string ExpiryClaim = "exp";
}
