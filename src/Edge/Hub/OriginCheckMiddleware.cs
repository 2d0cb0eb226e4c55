using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>
/// Refuses hub requests (negotiate and the WebSocket upgrade, which CORS does not cover) from browser pages of
/// origins not allowed by <see cref="OriginPolicy"/>, with 403. Requests without an Origin (bots, load tests) pass.
/// </summary>
public sealed partial class OriginCheckMiddleware(RequestDelegate next, IOptions<EdgeOptions> options, ILogger<OriginCheckMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || OriginPolicy.IsAllowed(origin, context.Request.Host, options.Value.AllowedOrigins))
        {
            return next(context);
        }

        LogRefused(logger, origin);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a hub request from origin {Origin}")]
    private static partial void LogRefused(ILogger logger, string origin);
}
