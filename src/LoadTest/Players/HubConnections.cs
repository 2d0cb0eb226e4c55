using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Players;

/// <summary>Builds the real .NET SignalR client connections the simulated players use: WebSockets, JSON protocol.</summary>
public static class HubConnections
{
    public static HubConnection Build(Uri edge, string path, string? accessToken) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(edge, path), HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                if (accessToken is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
            })
            .Build();
}
