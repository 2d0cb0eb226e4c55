using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Web;

/// <summary>How Kestrel's socket transport schedules its reads and writes (<see cref="EdgeOptions.InlineSocketScheduling"/>).</summary>
public static class SocketTransportExtensions
{
    public static IHostApplicationBuilder AddEdgeSocketTransport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SocketTransportOptions>().Configure<IOptions<EdgeOptions>>((sockets, edge) =>
            sockets.UnsafePreferInlineScheduling = edge.Value.InlineSocketScheduling);
        return builder;
    }
}
