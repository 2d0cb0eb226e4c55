using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using CardGame.LoadTest.Players;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CardGame.LoadTest.Tests;

/// <summary>
/// The load tool builds its hub connections without <c>HubConnectionBuilder</c> (no container per connection): what
/// reaches the server must be what a builder-built connection sends, frame for frame, and a connection that drops
/// must come back. A raw WebSocket endpoint on loopback records each connection's upgrade request and frames.
/// </summary>
public sealed class HubConnectionsTests : IAsyncLifetime
{
    private const char RecordSeparator = '\u001e';
    private readonly ConcurrentQueue<Recorded> _connections = new();
    private WebApplication? _app;
    private Uri _base = null!;
    private readonly ConcurrentDictionary<string, int> _opened = new();
    private readonly TaskCompletionSource _dropNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _dropFirstConnections;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/hubs/{name}", RecordAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _base = new Uri(address + "/");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_connection_sends_the_same_upgrade_request_and_frames_as_a_builder_built_one()
    {
        const string token = "token-0123";
        var ours = await RunAsync(HubConnections.Build(_base, "hubs/game", token, reconnect: true));
        var builders = await RunAsync(new HubConnectionBuilder()
            .WithUrl(new Uri(_base, "hubs/game"), HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .WithAutomaticReconnect(HubConnections.ReconnectDelays)
            .Build());

        Assert.Equal(builders.Request, ours.Request);
        Assert.Contains("Authorization=Bearer " + token, ours.Request);
        Assert.Equal(builders.Messages, ours.Messages);
        Assert.Equal("{\"protocol\":\"json\",\"version\":1}", ours.Messages[0]);
        Assert.Contains("{\"type\":1,\"target\":\"Echo\",\"arguments\":[\"x\",1]}", ours.Messages);
        Assert.All(builders.Types, type => Assert.Equal(WebSocketMessageType.Text, type));
        Assert.All(ours.Types, type => Assert.Equal(WebSocketMessageType.Text, type));
    }

    [Fact]
    public async Task A_reconnecting_connection_comes_back_after_a_drop_and_one_without_reconnect_closes()
    {
        _dropFirstConnections = true;
        var reconnecting = HubConnections.Build(_base, "hubs/game", "t", reconnect: true);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reconnecting.Reconnected += _ =>
        {
            back.TrySetResult();
            return Task.CompletedTask;
        };
        var plain = HubConnections.Build(_base, "hubs/bare", null);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        plain.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await reconnecting.StartAsync();
        await plain.StartAsync();
        _dropNow.SetResult(); // the server drops the first connection to each path, both now connected
        await back.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HubConnectionState.Connected, reconnecting.State);
        Assert.Equal(HubConnectionState.Disconnected, plain.State);
        await reconnecting.DisposeAsync();
        await plain.DisposeAsync();
    }

    [Fact]
    public void The_reconnect_policy_waits_each_delay_in_turn_then_gives_up()
    {
        var policy = new HubConnections.ReconnectPolicy(HubConnections.ReconnectDelays);
        var delays = Enumerable.Range(0, HubConnections.ReconnectDelays.Length + 1)
            .Select(i => policy.NextRetryDelay(new RetryContext { PreviousRetryCount = i }))
            .ToList();

        Assert.Equal(HubConnections.ReconnectDelays.Select(d => (TimeSpan?)d).Append(null), delays);
    }

    /// <summary>Starts the connection, sends one message, stops it; what the server recorded for it.</summary>
    private async Task<Recorded> RunAsync(HubConnection connection)
    {
        _connections.Clear();
        await connection.StartAsync();
        var recorded = Assert.Single(_connections);
        await connection.SendAsync("Echo", "x", 1);
        await recorded.Echoed.Task.WaitAsync(TimeSpan.FromSeconds(10)); // sent is buffered: stopping could drop it
        await connection.DisposeAsync();
        await recorded.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return recorded;
    }

    private async Task RecordAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var request = context.Request;
        var drop = _dropFirstConnections && _opened.AddOrUpdate(request.Path, 1, (_, n) => n + 1) == 1;
        var recorded = new Recorded(string.Join('\n',
            $"{request.Method} {request.Path}{request.QueryString}",
            $"User-Agent={request.Headers.UserAgent}",
            $"X-Requested-With={request.Headers["X-Requested-With"]}",
            $"Authorization={request.Headers.Authorization}"));
        _connections.Enqueue(recorded);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        try
        {
            var buffer = new byte[4096];
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                recorded.Types.Add(result.MessageType);
                recorded.Text.Append(Encoding.UTF8.GetString(message.ToArray()));
                if (recorded.Text.ToString().Contains("\"Echo\"", StringComparison.Ordinal))
                {
                    recorded.Echoed.TrySetResult();
                }

                if (recorded.Types.Count == 1)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes("{}" + RecordSeparator), WebSocketMessageType.Text, true, context.RequestAborted);
                    if (drop)
                    {
                        await _dropNow.Task;
                        context.Abort();
                        return;
                    }
                }
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away: what it sent is recorded.
        }
        finally
        {
            recorded.Done.TrySetResult();
        }
    }

    private sealed class Recorded(string request)
    {
        public string Request { get; } = request;

        public List<WebSocketMessageType> Types { get; } = [];

        public StringBuilder Text { get; } = new();

        /// <summary>The hub messages received, in order, but a last close message (the client sends it while stopping,
        /// racing with the transport's own close, so it may or may not get through).</summary>
        public List<string> Messages
        {
            get
            {
                var messages = Text.ToString().Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
                if (messages.Count > 0 && messages[^1] == "{\"type\":7}")
                {
                    messages.RemoveAt(messages.Count - 1);
                }

                return messages;
            }
        }

        public TaskCompletionSource Echoed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
