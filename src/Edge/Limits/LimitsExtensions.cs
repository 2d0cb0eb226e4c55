using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Limits;

/// <summary>
/// What one client may cost an edge: Kestrel's connection, header and body limits; the client's real address behind
/// trusted proxies (<see cref="EdgeOptions.TrustedProxies"/>); guest sign-ins per address (429 with Retry-After);
/// connections per address and the deadline to authenticate (<see cref="ConnectionLimits"/>,
/// <see cref="AuthenticationDeadline"/>, enforced where connections open).
/// </summary>
public static class LimitsExtensions
{
    public const string GuestSignInPolicy = "guest-sign-in";

    /// <summary>The largest request body: a guest sign-in is tiny, a long-polling hub message at most 32 KiB.</summary>
    public const int MaxRequestBodyBytes = 64 * 1024;

    private static readonly TimeSpan ReplenishEvery = TimeSpan.FromMilliseconds(100);

    public static IHostApplicationBuilder AddEdgeLimits(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ConnectionLimits>();
        services.AddSingleton<AuthenticationDeadline>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<EdgeOptions>>((kestrel, edge) =>
        {
            var limits = kestrel.Limits;
            limits.MaxConcurrentConnections = edge.Value.MaxConnections;
            limits.MaxConcurrentUpgradedConnections = edge.Value.MaxConnections;
            limits.MaxRequestBodySize = MaxRequestBodyBytes;
            limits.MaxRequestHeadersTotalSize = 16 * 1024;
            limits.MaxRequestHeaderCount = 50;
            limits.MaxRequestLineSize = 8 * 1024;
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
        });
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<EdgeOptions>>((forwarded, edge) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the address the trusted proxy itself added counts; anything before it the client may have written.
            forwarded.ForwardLimit = 1;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            var trusted = edge.Value.TrustedProxies.Length > 0 ? edge.Value.TrustedProxies : ["127.0.0.0/8", "::1"];
            foreach (var proxy in trusted)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
                else
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
            }
        });
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<EdgeOptions>>((limiter, edge) =>
        {
            var perMinute = edge.Value.GuestSignInsPerMinute;
            var burst = edge.Value.GuestSignInBurst;
            // The partitioned limiter tops every bucket up from one timer, every 100 ms at most: a faster rate comes
            // as more tokens per period.
            var period = TimeSpan.FromMinutes(1) / perMinute;
            var tokensPerPeriod = 1;
            if (period < ReplenishEvery)
            {
                tokensPerPeriod = (int)Math.Ceiling(perMinute * ReplenishEvery / TimeSpan.FromMinutes(1));
                period = ReplenishEvery;
            }

            limiter.AddPolicy(GuestSignInPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                ClientAddress.Key(context.Connection.RemoteIpAddress),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst,
                    TokensPerPeriod = tokensPerPeriod,
                    ReplenishmentPeriod = period,
                    QueueLimit = 0,
                    AutoReplenishment = false,
                }));
            limiter.OnRejected = RejectSignInAsync;
        });
        return builder;
    }

    /// <summary>First in the pipeline: the real client address, then the rate limits that key on it.</summary>
    public static IApplicationBuilder UseEdgeLimits(this IApplicationBuilder app)
    {
        app.UseForwardedHeaders();
        app.UseRateLimiter();
        return app;
    }

    private static async ValueTask RejectSignInAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many guest sign-ins from this address.",
            detail: $"retry after {seconds} s").ExecuteAsync(context.HttpContext);
    }
}
