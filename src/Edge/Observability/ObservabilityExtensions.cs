using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CardGame.Edge.Observability;

/// <summary>OpenTelemetry metrics with a Prometheus scrape endpoint; traces over OTLP when <c>Tracing:OtlpEndpoint</c> is set.</summary>
public static class ObservabilityExtensions
{
    /// <summary>
    /// Series kept per metric. OpenTelemetry allocates this many points per instrument up front (its default is
    /// 2,000); no instrument here has more than a few dozen series.
    /// </summary>
    private const int MaxSeriesPerMetric = 128;

    /// <summary>
    /// Whether log scopes are captured; off unless configured. Kestrel, hosting and SignalR open a scope per connection
    /// and request, kept as long as a WebSocket lives (about 0.5 KiB each), and no log output here prints them.
    /// </summary>
    public const string CaptureScopesKey = "Logging:CaptureScopes";

    public static IHostApplicationBuilder AddEdgeObservability(this IHostApplicationBuilder builder)
    {
        var captureScopes = builder.Configuration.GetValue(CaptureScopesKey, false);
        builder.Services.Configure<LoggerFilterOptions>(filters => filters.CaptureScopes = captureScopes);
        builder.Services.AddSingleton<EdgeMetrics>();
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EdgeMetrics.MeterName, "System.Runtime", "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans")
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerMetric })
            .AddPrometheusExporter());
        if (EdgeTracing.Endpoint(builder.Configuration) is { } otlp)
        {
            telemetry.ConfigureResource(r => r.AddService("cardgame-edge"))
                .WithTracing(tracing => tracing.AddSource(EdgeTracing.Sources).AddOtlpExporter(o => o.Endpoint = otlp));
        }

        return builder;
    }

    /// <summary><c>/metrics</c> (Prometheus text).</summary>
    public static IEndpointRouteBuilder MapEdgeObservability(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
