namespace CardGame.Edge.Sockets;

/// <summary>The plain WebSocket endpoint <see cref="GameSocket.Path"/>: the game protocol as JSON text frames.</summary>
public static class SocketExtensions
{
    public static IHostApplicationBuilder AddGameSocket(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GameSocket>();
        builder.Services.AddSingleton<OpenSockets>();
        return builder;
    }

    public static IEndpointRouteBuilder MapGameSocket(this IEndpointRouteBuilder endpoints)
    {
        var socket = endpoints.ServiceProvider.GetRequiredService<GameSocket>();
        var pipeline = endpoints.CreateApplicationBuilder();
        pipeline.UseWebSockets();
        pipeline.Run(socket.RunAsync);
        endpoints.Map(GameSocket.Path, pipeline.Build());
        return endpoints;
    }
}
