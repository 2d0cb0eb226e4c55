using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CardGame.Edge.Lifecycle;

/// <summary>Graceful stop: <see cref="EdgeDrain"/> on SIGTERM, readiness that fails while draining, new connections refused.</summary>
public static class DrainExtensions
{
    public static IHostApplicationBuilder AddEdgeDrain(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EdgeDrain>();
        builder.Services.AddSingleton<IHostLifetime, DrainingLifetime>();
        builder.Services.AddHealthChecks().AddCheck<DrainingHealthCheck>("draining", tags: ["ready"]);
        return builder;
    }

    /// <summary>While draining, a new connection to the hub or <c>/ws</c> gets 503 (a balancer retries it on another edge).</summary>
    public static IApplicationBuilder UseEdgeDrain(this IApplicationBuilder app)
    {
        var drain = app.ApplicationServices.GetRequiredService<EdgeDrain>();
        // Not async: an awaiting frame would stay in memory for as long as the connection it passed on lives.
        return app.Use((context, next) =>
        {
            if (drain.IsDraining && (context.Request.Path.StartsWithSegments("/hubs") || context.Request.Path.StartsWithSegments("/ws")))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "0";
                return Task.CompletedTask;
            }

            return next(context);
        });
    }
}
