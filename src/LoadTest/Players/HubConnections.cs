using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Players;

/// <summary>Builds the real .NET SignalR client connections the simulated players use: WebSockets, JSON protocol.</summary>
public static class HubConnections
{
    /// <summary>
    /// Game players reconnect after a drop (to the same edge URL) at once, then at these delays (about a minute in all:
    /// through a balancer that has marked every edge failed for a few seconds during a rolling restart), then give up.
    /// </summary>
    private static readonly TimeSpan[] ReconnectDelays =
        [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5),
         TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)];

    public static HubConnection Build(Uri edge, string path, string? accessToken, bool reconnect = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(edge, path), HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                if (accessToken is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
            });
        if (reconnect)
        {
            builder.WithAutomaticReconnect(ReconnectDelays);
        }

        return builder.Build();
    }
}
