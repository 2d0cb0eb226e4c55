using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Auth;

/// <summary>Guest sign-in (<c>POST /api/auth/guest</c>) and JWT validation for the hub.</summary>
public static class AuthExtensions
{
    public const string GuestSignInPath = "/api/auth/guest";

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
        // invocation arguments, such as Authenticate's token.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Information);
        return builder;
    }

    public static IEndpointRouteBuilder MapGuestAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(GuestSignInPath, SignInGuestAsync).RequireRateLimiting(Limits.LimitsExtensions.GuestSignInPolicy);
        return endpoints;
    }

    /// <summary>
    /// Rejects a hub request that carries a token which fails validation (forged, expired, wrong issuer or audience)
    /// with 401, instead of letting it connect anonymously. Requests without a token may connect and call Authenticate.
    /// </summary>
    public static IApplicationBuilder UseHubTokenCheck(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(GameHub.Path),
            hub => hub.Use(CheckHubTokenAsync));

    /// <summary>
    /// Not an async method around <paramref name="next"/>: its frame would stay in memory for as long as the connection
    /// lives (a hub request lasts as long as its WebSocket). The scheme's result is already known here (authentication
    /// ran before), so this nearly always passes the request on at once.
    /// </summary>
    private static Task CheckHubTokenAsync(HttpContext context, RequestDelegate next)
    {
        var authenticate = context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        return authenticate.IsCompletedSuccessfully ? PassOrChallenge(context, authenticate.Result, next) : AfterAuthenticateAsync(context, authenticate, next);
    }

    private static async Task AfterAuthenticateAsync(HttpContext context, Task<AuthenticateResult> authenticate, RequestDelegate next) =>
        await PassOrChallenge(context, await authenticate, next);

    private static Task PassOrChallenge(HttpContext context, AuthenticateResult result, RequestDelegate next) =>
        result.Failure is not null ? context.ChallengeAsync(JwtBearerDefaults.AuthenticationScheme) : next(context);

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
