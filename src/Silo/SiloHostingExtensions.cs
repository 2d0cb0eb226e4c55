using CardGame.Contracts.Grains;
using CardGame.Grains;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Networking.Shared;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace CardGame.Silo;

/// <summary>
/// How a CardGame silo is put together. <see cref="AddCardGameGrains"/> is shared with the test clusters, so tests
/// run the storage, serializer and grain directory that production runs; clustering and endpoints differ.
/// </summary>
public static class SiloHostingExtensions
{
    /// <summary>Configures a silo for this host: clustering and endpoints from configuration, then the game.</summary>
    public static IHostApplicationBuilder AddCardGameSilo(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiloOptions>, DashboardAuth.Validation>();
        builder.Services.AddOptions<RebalancingOptions>().BindConfiguration(RebalancingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var silo = config.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        var rebalancing = config.GetSection(RebalancingOptions.SectionName).Get<RebalancingOptions>() ?? new RebalancingOptions();
        var redis = config.GetConnectionString("Redis");

        builder.UseOrleans(orleans =>
        {
            if (string.IsNullOrWhiteSpace(redis))
            {
                // The embedded default: one machine, no Redis. Further silos on this machine join the first one.
                orleans.UseLocalhostClustering(silo.Port, silo.GatewayPort, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, silo.PrimarySiloPort));
            }
            else
            {
                orleans.UseRedisClustering(redis);
                orleans.ConfigureEndpoints(silo.AdvertisedAddress(), silo.Port, silo.GatewayPort, listenOnAnyHostAddress: silo.ListenOnAnyAddress);
            }

            orleans.Configure<GrainDirectoryOptions>(o => o.CacheSize = silo.DirectoryCacheSize);
            if (silo.IOQueueCount is { } queues)
            {
                orleans.Configure<SocketConnectionOptions>(o => o.IOQueueCount = queues);
            }

            orleans.AddCardGameGrains(config);
            orleans.Services.AddSingleton<SiloWarmup>();
            orleans.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloWarmup>());
            orleans.Services.AddSingleton<ISiloWarmup>(sp => sp.GetRequiredService<SiloWarmup>());
            if (rebalancing.Enabled)
            {
                orleans.AddTableRebalancing();
            }

            if (silo.Dashboard)
            {
                orleans.AddDashboard();
            }
        });
        builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>("cluster", tags: [ReadyTag]);
        builder.Services.AddHostedService<StallWatch>();
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Microsoft.Orleans", "System.Runtime", GameMetrics.MeterName)
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerMetric })
            .AddPrometheusExporter());
        if (TracingEndpoint(config) is { } otlp)
        {
            // Traces of grain calls (Orleans' spans) and of the tables' writes and publishing, exported over OTLP.
            telemetry.ConfigureResource(r => r.AddService("cardgame-silo"))
                .WithTracing(tracing => tracing
                    .AddSource(GameTracing.SourceName, OrleansRuntimeSpans, OrleansApplicationSpans)
                    .AddOtlpExporter(o => o.Endpoint = otlp));
        }

        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> (the process answers), <c>/health/ready</c> (it reaches the cluster), <c>/health</c> (both),
    /// <c>/metrics</c> (Prometheus) and, with <c>Silo:Dashboard</c>, the Orleans dashboard at <c>/dashboard</c>.
    /// </summary>
    public static WebApplication MapCardGameSiloEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapHealthChecks("/health");
        app.MapPrometheusScrapingEndpoint("/metrics");
        var silo = app.Services.GetRequiredService<IOptions<SiloOptions>>().Value;
        if (silo.Dashboard)
        {
            app.UseDashboardAuth(silo);
            app.MapOrleansDashboard(DashboardAuth.Path);
        }

        return app;
    }

    /// <summary>
    /// Rebalancing: each silo moves its surplus of tables, then of players, to emptier silos every
    /// <see cref="RebalancingOptions.CycleSeconds"/>, one activation at a time and at most
    /// <see cref="RebalancingOptions.MaxMovesPerCycle"/> a cycle (<see cref="ActivationBalancer"/>; live migration, so they
    /// carry their memory). The room directory's shards and quick-play grains stay where they are.
    /// </summary>
    private static void AddTableRebalancing(this ISiloBuilder orleans)
    {
        orleans.Services.AddSingleton<ActivationBalancer>();
        orleans.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ActivationBalancer>());
    }

    private const string ReadyTag = "ready";

    private const string OrleansRuntimeSpans = "Microsoft.Orleans.Runtime";

    private const string OrleansApplicationSpans = "Microsoft.Orleans.Application";

    /// <summary><c>Tracing:OtlpEndpoint</c>: where traces go; unset (the default), tracing is off.</summary>
    private static Uri? TracingEndpoint(IConfiguration config) =>
        config[GameTracing.OtlpEndpointKey] is { Length: > 0 } endpoint ? new Uri(endpoint) : null;

    /// <summary>
    /// Series kept per metric. OpenTelemetry allocates this many points per instrument up front; its default of 2,000
    /// costs about 30 MB over Orleans' two hundred instruments, none of which has more than a few dozen series.
    /// </summary>
    private const int MaxSeriesPerMetric = 128;

    /// <summary>
    /// The game itself: cluster ids, grain storage (Redis when <c>ConnectionStrings:Redis</c> is set, else memory),
    /// System.Text.Json storage serialization (no type names: renaming a state class does not break stored tables; a
    /// table's state written by <see cref="TableStateJson"/>, the same bytes), and the game options.
    /// </summary>
    public static ISiloBuilder AddCardGameGrains(this ISiloBuilder orleans, IConfiguration config)
    {
        orleans.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = config["Orleans:ClusterId"] is { Length: > 0 } clusterId ? clusterId : "cardgame";
            o.ServiceId = config["Orleans:ServiceId"] is { Length: > 0 } serviceId ? serviceId : "cardgame";
        });
        orleans.Services.AddSingleton<IGrainStorageSerializer, GameStateStorageSerializer>();
        GrainInterfaceTypeCache.AddTo(orleans.Services);
        // A migrating activation carries its persistent state (with its ETag) only if Orleans can serialize it: the
        // state classes go as the same JSON they are stored as. Without this every migration logged "Failed to
        // dehydrate state" (CodecNotFoundException) and the next activation read the state from Redis again.
        orleans.Services.AddSerializer(serializer => serializer.AddJsonSerializer(isSupported: type => type == typeof(TableState) || type == typeof(PlayerState)));
        // The distributed directory hands its partitions over when a silo stops, so tables migrating off a stopping
        // silo are reachable at once; with the default directory calls stalled 1 to 2 s (SiloStopTests).
#pragma warning disable ORLEANSEXP003
        orleans.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // After a crash, grains are placed again at once (Silo:DirectoryRangeLeaseSeconds): their state is ETag-checked.
        var lease = (config.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions()).DirectoryRangeLeaseSeconds;
        orleans.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.FromSeconds(lease));

        var redis = config.GetConnectionString("Redis");
        if (orleans.Services.Any(s => s.IsKeyedService && s.ServiceType == typeof(IGrainStorage) && Equals(s.ServiceKey, StorageNames.Tables)))
        {
            // Already provided (tests wrap the real storage to inject faults).
        }
        else if (string.IsNullOrWhiteSpace(redis))
        {
            orleans.AddMemoryGrainStorage(StorageNames.Tables);
        }
        else
        {
            orleans.AddRedisGrainStorage(StorageNames.Tables, options =>
            {
                options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis);
                // A closed room's record is deleted, not left behind empty.
                options.DeleteStateOnClear = true;
            });
        }

        // Player records expire Game:PlayerRetentionDays after their last write: Redis drops the key itself (EXPIRE,
        // set again by every write), so nothing scans for idle players; the player grain rewrites a record in use.
        if (orleans.Services.Any(s => s.IsKeyedService && s.ServiceType == typeof(IGrainStorage) && Equals(s.ServiceKey, StorageNames.Players)))
        {
            // Already provided (tests wrap the real storage to inject faults).
        }
        else if (string.IsNullOrWhiteSpace(redis))
        {
            orleans.AddMemoryGrainStorage(StorageNames.Players);
        }
        else
        {
            var retention = GameOptions.RetentionOf(config.GetValue($"{GameOptions.SectionName}:{nameof(GameOptions.PlayerRetentionDays)}",
                GameOptions.DefaultPlayerRetentionDays));
            orleans.AddRedisGrainStorage(StorageNames.Players, options =>
            {
                options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis);
                options.EntryExpiry = retention;
            });
            orleans.Services.AddHostedService<RetiredDirectoryKey>();
        }

        if (TracingEndpoint(config) is not null)
        {
            // Carries the caller's trace into grain calls (and on to the calls grains make): only when tracing is on,
            // since the filters it adds run on every call.
            orleans.AddActivityPropagation();
        }

        orleans.Services.AddOptions<GameOptions>().BindConfiguration(GameOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        orleans.Services.AddOptions<ShutdownMigrationOptions>().BindConfiguration(ShutdownMigrationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        orleans.Services.AddSingleton(TimeProvider.System);
        orleans.Services.AddSingleton<GameMetrics>();
        orleans.Services.AddSingleton<EdgeDeliveries>();
        orleans.Services.AddSingleton<StoppingSilos>();
        orleans.Services.AddKeyedSingleton<IControllable>(StoppingSilos.Name, (sp, _) => sp.GetRequiredService<StoppingSilos>());
        // The control channel's call names the service's type (a generic argument): the serializer must allow it.
        orleans.Services.Configure<Orleans.Serialization.Configuration.TypeManifestOptions>(o =>
            o.AllowedTypes.Add(Orleans.Serialization.TypeSystem.RuntimeTypeNameFormatter.Format(typeof(StoppingSilos))));
        // Random placement (tables) less the silos that said they are stopping; the grains' properties are unchanged.
        orleans.Services.AddPlacementDirector<RandomPlacement, AwayFromStoppingSilosPlacementDirector>();
        orleans.Services.AddSingleton<ShutdownMigration>();
        orleans.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ShutdownMigration>());
        return orleans;
    }
}
