using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CardGame.LoadTest.Players;

/// <summary>
/// Builds the real .NET SignalR client connections the simulated players use: WebSockets, JSON protocol.
/// </summary>
/// <remarks>
/// Each connection is the client library's own <see cref="HubConnection"/> over its own
/// <see cref="HttpConnectionFactory"/>, configured exactly as <c>new HubConnectionBuilder().WithUrl(url,
/// HttpTransportType.WebSockets, o => { o.SkipNegotiation = true; o.AccessTokenProvider = … })</c> would (the
/// builder also sets <see cref="HttpConnectionOptions.DefaultTransferFormat"/> from the protocol: text frames), but
/// without the builder's dependency-injection container. The builder builds a service provider for every connection
/// (about 25 KiB and 250 objects each, half of a connection's live heap in the tool): with 10,000 players that was
/// 2.5 million objects for the tool's collector to walk. The protocol and the logger factory are shared, as they are
/// stateless; the wire traffic is the same (<c>LoadTest.Tests</c> <c>HubConnectionsTests</c> compares it with a
/// builder-built connection's).
/// </remarks>
public static class HubConnections
{
    /// <summary>
    /// Game players reconnect after a drop (to the same edge URL) at once, then at these delays (about a minute in all:
    /// through a balancer that has marked every edge failed for a few seconds during a rolling restart), then give up.
    /// </summary>
    internal static readonly TimeSpan[] ReconnectDelays =
        [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5),
         TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)];

    /// <summary>The JSON hub protocol with its default options, as the builder's <c>AddJsonProtocol()</c> gives it.</summary>
    private static readonly JsonHubProtocol Protocol = new();

    private static readonly ReconnectPolicy Reconnect = new(ReconnectDelays);

    public static HubConnection Build(Uri edge, string path, string? accessToken, bool reconnect = false)
    {
        var url = new Uri(edge, path);
        var options = new HttpConnectionOptions
        {
            Url = url,
            Transports = HttpTransportType.WebSockets,
            SkipNegotiation = true,
            DefaultTransferFormat = Protocol.TransferFormat,
        };
        if (accessToken is not null)
        {
            options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
        }

        var factory = new HttpConnectionFactory(Options.Create(options), NullLoggerFactory.Instance);
        EndPoint endPoint = new UriEndPoint(url);
        return reconnect
            ? new HubConnection(factory, Protocol, endPoint, NoServices.Instance, NullLoggerFactory.Instance, Reconnect)
            : new HubConnection(factory, Protocol, endPoint, NoServices.Instance, NullLoggerFactory.Instance);
    }

    /// <summary>
    /// What <c>WithAutomaticReconnect(delays)</c> gives: the delay before each retry in turn, then no more retries.
    /// </summary>
    internal sealed class ReconnectPolicy(TimeSpan[] delays) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.PreviousRetryCount < delays.Length ? delays[retryContext.PreviousRetryCount] : null;
    }

    /// <summary>
    /// The services a <see cref="HubConnection"/> looks up (its options and activity source) are all optional and
    /// default to what an empty builder gives; shared by every connection, and not disposable, so that disposing one
    /// connection disposes nothing the others use.
    /// </summary>
    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
