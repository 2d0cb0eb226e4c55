namespace CardGame.Edge.Lifecycle;

/// <summary>Before ready: <see cref="EdgeWarmup"/> runs a player's reconnect path once, writing nothing durable.</summary>
public static class WarmupExtensions
{
    public static IHostApplicationBuilder AddEdgeWarmup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EdgeWarmup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EdgeWarmup>());
        builder.Services.AddHealthChecks().AddCheck<WarmupHealthCheck>("warm-up", tags: ["ready"]);
        return builder;
    }
}
