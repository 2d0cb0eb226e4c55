using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Auth;

/// <summary>Guest sign-in (<c>POST /api/auth/guest</c>) and JWT validation for the hub.</summary>
public static class AuthExtensions
{
    public const string GuestSignInPath = "/api/auth/guest";

    /// <summary>ASP.NET Core hosting's request log category (request start and finish lines).</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IHostApplicationBuilder AddGuestAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<AuthOptions>, DevelopmentSigningKey>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidation>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<GuestTokens>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();

        // Tokens must never reach a log. These categories would write them at their chattier levels: request-start
        // lines carry the query string, where browsers send access_token; the dispatcher's debug lines carry
        // invocation arguments, such as Authenticate's token. Hosting's request lines are off entirely: while that
        // category logs at any level, hosting starts an Activity per request for log correlation, which a WebSocket
        // request keeps for its whole life (about 0.35 KiB a connection with its tags and ids). It logs nothing at
        // Warning or above that matters here: a host that fails to start still throws.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Information);
        return builder;
    }

    public static IEndpointRouteBuilder MapGuestAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(GuestSignInPath, SignInGuestAsync).RequireRateLimiting(Limits.LimitsExtensions.GuestSignInPolicy);
        return endpoints;
    }

    /// <summary>
    /// ASP.NET Core's authentication and authorization for every request but <paramref name="longLived"/> ones (the hub
    /// authenticates its own in <see cref="UseHubTokenCheck"/>; <c>/ws</c> takes tokens only in messages). Both
    /// middlewares are async frames around the rest of the request, and authentication leaves its result, ticket and
    /// handler in the request: for a request that becomes a connection that is about 1 KiB kept for the connection's life.
    /// </summary>
    public static IApplicationBuilder UseEdgeAuthentication(this IApplicationBuilder app, Func<HttpContext, bool> longLived)
    {
        app.UseWhen(context => !longLived(context), other =>
        {
            other.UseAuthentication();
            other.UseAuthorization();
        });
        // WebApplication adds both middlewares in front of the whole pipeline unless the app added them; calls inside a
        // branch do not mark the root app, so it is marked here (the keys UseAuthentication and UseAuthorization set).
        app.Properties[AuthenticationMiddlewareSetKey] = true;
        app.Properties[AuthorizationMiddlewareSetKey] = true;
        return app;
    }

    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>
    /// Authenticates a hub request with the JwtBearer scheme and rejects one that carries a token which fails validation
    /// (forged, expired, wrong issuer or audience) with 401, instead of letting it connect anonymously. Requests without a
    /// token may connect and call Authenticate. Only the principal stays in the request: the scheme's handler, result and
    /// ticket live in a service scope of their own that ends before the connection starts, and of the principal only what
    /// the connection's session needs (<see cref="HubToken"/>).
    /// </summary>
    public static IApplicationBuilder UseHubTokenCheck(this IApplicationBuilder app)
    {
        var scopes = app.ApplicationServices.GetRequiredService<IServiceScopeFactory>();
        return app.UseWhen(
            context => context.Request.Path.StartsWithSegments(GameHub.Path),
            hub => hub.Use((context, next) => CheckHubToken(context, next, scopes)));
    }

    /// <summary>
    /// Not an async method around <paramref name="next"/>: its frame would stay in memory for as long as the connection
    /// lives (a hub request lasts as long as its WebSocket). Validating a token completes at once, so this nearly always
    /// passes the request on at once.
    /// </summary>
    private static Task CheckHubToken(HttpContext context, RequestDelegate next, IServiceScopeFactory scopes)
    {
        var authenticate = AuthenticateInScopeOfItsOwnAsync(context, scopes);
        return authenticate.IsCompletedSuccessfully ? PassOrStop(context, authenticate.Result, next) : AfterAuthenticateAsync(context, authenticate, next);
    }

    private static async Task AfterAuthenticateAsync(HttpContext context, Task<bool> authenticate, RequestDelegate next) =>
        await PassOrStop(context, await authenticate, next);

    private static Task PassOrStop(HttpContext context, bool pass, RequestDelegate next) => pass ? next(context) : Task.CompletedTask;

    /// <summary>True when the request may go on (with the token's principal, or anonymous without a token); else 401 was sent.</summary>
    private static async Task<bool> AuthenticateInScopeOfItsOwnAsync(HttpContext context, IServiceScopeFactory scopes)
    {
        var features = context.Features;
        var requestServices = features.Get<IServiceProvidersFeature>();
        await using var scope = scopes.CreateAsyncScope();
        features.Set<IServiceProvidersFeature>(new ServiceProvidersFeature { RequestServices = scope.ServiceProvider });
        try
        {
            var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
            if (result.Failure is not null)
            {
                await context.ChallengeAsync(JwtBearerDefaults.AuthenticationScheme);
                return false;
            }

            // The request keeps what its connection's session needs of the token (HubToken), not the token's principal.
            var identity = result.Principal?.Identities.FirstOrDefault(i => i.IsAuthenticated);
            if (PlayerIdentity.From(identity) is { } player)
            {
                context.User = new HubToken(player, Application.TokenExpiry.ExpiresAt(identity));
            }

            return true;
        }
        finally
        {
            features.Set(requestServices);
        }
    }

    private static async Task<Results<Ok<GuestSignInResponse>, ValidationProblem>> SignInGuestAsync(HttpRequest request, GuestTokens tokens)
    {
        GuestSignInRequest? body = null;
        if (request.HasJsonContentType())
        {
            try
            {
                body = await request.ReadFromJsonAsync<GuestSignInRequest>(request.HttpContext.RequestAborted);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
            {
                body = null;
            }
        }

        if (PlayerIdentity.ValidName(body?.Name) is not { } name)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]>
                {
                    ["name"] = [$"send a JSON body {{\"name\": \"...\"}}; a name is 1 to {PlayerIdentity.MaxNameLength} characters after trimming, with no control or invisible formatting characters (such as right-to-left overrides or zero-width spaces)"],
                },
                title: "The guest name is missing or invalid.");
        }

        return TypedResults.Ok(tokens.Issue(name));
    }
}
