using CardGame.Edge.Application;
using CardGame.Edge.Auth;
using CardGame.Edge.Delivery;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>The game hub: SignalR with the contract's limits and errors, and the per-edge delivery of table events.</summary>
public static class HubExtensions
{
    /// <summary>The contract's largest hub message; a larger one closes the connection.</summary>
    public const int MaximumMessageBytes = 32 * 1024;

    public static IHostApplicationBuilder AddGameHub(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<EdgeOptions>, EdgeOptionsValidation>();

        services.AddSingleton<LocalPlayers>();
        services.AddSingleton<TableSeats>();
        services.AddSingleton<LocalSpectators>();
        services.AddSingleton<LobbyWatchers>();
        services.AddHostedService(sp => sp.GetRequiredService<LobbyWatchers>());
        services.AddSingleton<FollowedTables>();
        services.AddSingleton<TableEventFanOut>();
        services.AddSingleton<TableSubscriptions>();
        services.AddHostedService(sp => sp.GetRequiredService<TableSubscriptions>());
        services.AddSingleton<PlayerSessions>();
        services.AddSingleton<TokenExpiry>();
        services.AddSingleton<RequestLimiter>();
        services.AddSingleton<RequestRunner>();
        services.AddSingleton<GameApplication>();
        services.AddSingleton<Cluster.HedgedCalls>();

        services.AddSingleton<GameHubLifetimeManager>();
        services.AddSingleton<HubLifetimeManager<GameHub>>(sp => sp.GetRequiredService<GameHubLifetimeManager>());
        services.AddSingleton<HubSessions>();
        services.AddSingleton<IHubActivator<GameHub>, GameHubActivator>();
        // A filter registered as a singleton is shared; otherwise SignalR would build one per invocation.
        services.AddSingleton<GameHubFilter>();
        services.AddSignalR(hub =>
        {
            hub.MaximumReceiveMessageSize = MaximumMessageBytes;
            hub.EnableDetailedErrors = false;
            hub.AddFilter<GameHubFilter>();
        });
        services.RemoveAll<IHubProtocol>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, GameHubProtocol>());

        services.AddCors();
        services.AddSingleton<IConfigureOptions<CorsOptions>, ConfigureHubCors>();
        return builder;
    }

    /// <summary>In front of the hub (and <c>/ws</c>): the Origin allow-list, CORS for listed origins, and token checks.</summary>
    public static IApplicationBuilder UseGameHubGate(this IApplicationBuilder app)
    {
        app.UseWhen(IsLongLived, hub => hub.UseMiddleware<OriginCheckMiddleware>());
        app.UseCors();
        app.UseEdgeAuthentication(IsLongLived);
        app.UseHubTokenCheck();
        return app;
    }

    /// <summary>A request that becomes a connection (the hub's, <c>/ws</c>) and so lives, with all it holds, as long as it.</summary>
    private static bool IsLongLived(HttpContext context) =>
        context.Request.Path.StartsWithSegments(GameHub.Path) || context.Request.Path.StartsWithSegments(Sockets.GameSocket.Path);

    public static IEndpointRouteBuilder MapGameHub(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<GameHub>(GameHub.Path).RequireCors(ConfigureHubCors.PolicyName);
        return endpoints;
    }
}
