using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Protocol;
using Orleans.Serialization;

namespace CardGame.Edge.Lifecycle;

/// <summary>
/// Runs a starting edge's reconnect path once before it reports ready (readiness waits for <see cref="Completed"/>),
/// writing nothing durable: a guest token issued and validated, and one sent to the hub over HTTP (the JwtBearer
/// handler); a WebSocket to its own hub (the upgrade, the SignalR handshake, the JSON protocol, a <c>Resume</c> without
/// a player answered <c>auth_required</c> by the hub filter); a made-up room subscribed to, resumed and viewed through
/// the main Orleans client and through every silo's client (<c>room_not_found</c>: no record, no activation left, no
/// subscription); a resume, a view and an event written by the hub protocol and the <c>/ws</c> JSON. Why: in a
/// rolling restart the next edge drains about 2 s after this one is ready and its players reconnect here at once; on an
/// edge started 2 s before they were back after 1.8 s and resumed after 3.7 s (load average 37–48), on one that had run
/// for minutes back after 0.1 s and resumed after 1.1 s. A step that fails is logged and costs only its warmth.
/// </summary>
public sealed partial class EdgeWarmup(
    ClusterConnection cluster,
    TableRoutes routes,
    TableSubscriptions subscriptions,
    GuestTokens tokens,
    IEnumerable<IHubProtocol> protocols,
    Serializer serializer,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<EdgeWarmup> logger) : BackgroundService
{
    /// <summary>The player the warm-up acts as: made up, never signed in (nothing is stored for it).</summary>
    public const string PlayerId = "pwarmup";

    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(20);

    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _done = [];

    /// <summary>Completes once the warm-up is over (every step done or failed).</summary>
    public Task Completed => _completed.Task;

    /// <summary>The steps that did what they should, in order (for tests and the log).</summary>
    public IReadOnlyList<string> Done
    {
        get
        {
            lock (_done)
            {
                return [.. _done];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await cluster.WaitAsync(stoppingToken);
            await routes.Warmed.WaitAsync(stoppingToken);
            await Started(stoppingToken);
            var started = Stopwatch.GetTimestamp();
            var token = tokens.Issue("warm-up").Token;
            await StepAsync("token", async () => (await tokens.ValidateAsync(token)).Player?.PlayerId is not null);
            await StepAsync("serializers", () => Task.FromResult(Serialize()));
            await StepAsync("hub-token", () => HubTokenAsync(token, stoppingToken));
            await StepAsync("hub", () => HubAsync(stoppingToken));
            await StepAsync("tables", TablesAsync);
            LogWarmed(logger, string.Join(", ", Done), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before it was ready.
        }
        finally
        {
            _completed.TrySetResult();
        }
    }

    private async Task StepAsync(string name, Func<Task<bool>> step)
    {
        try
        {
            if (await step().WaitAsync(StepLimit))
            {
                lock (_done)
                {
                    _done.Add(name);
                }
            }
            else
            {
                LogStepFailed(logger, name, "unexpected answer");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStepFailed(logger, name, ex.Message);
        }
    }

    /// <summary>Completes once Kestrel listens (hosted services start before it does).</summary>
    private Task Started(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>What a reconnecting player's calls carry: the Orleans codecs of the answers, the hub's and /ws's JSON.</summary>
    private bool Serialize()
    {
        var view = new TableView("rwarmup", "warm-up", 1, Phases.Playing, 2,
            [new PlayerView(PlayerId, "warm-up", 7, true), new PlayerView(PlayerId + "2", "warm-up 2", 7, false)],
            PlayerId, "10H", "H", 30, ["2C", "QS"], null, DateTimeOffset.UtcNow, 0, "commitment");
        var tableEvent = new TableEvent("rwarmup", 2, EventKinds.Took, PlayerId, "3D", HandCount: 8, Turn: PlayerId + "2");
        var resumed = new Resumed([tableEvent], null);
        serializer.Deserialize<GameResult<TableView>>(serializer.SerializeToArray(GameResult<TableView>.Ok(view)));
        serializer.Deserialize<GameResult<Resumed>>(serializer.SerializeToArray(GameResult<Resumed>.Ok(resumed)));
        serializer.Deserialize<Welcome>(serializer.SerializeToArray(new Welcome(PlayerId, "warm-up", "rwarmup")));
        serializer.Deserialize<IReadOnlyList<TableNotification>>(serializer.SerializeToArray<IReadOnlyList<TableNotification>>(
            [new TableNotification(tableEvent, [PlayerId])]));
        foreach (var protocol in protocols)
        {
            protocol.GetMessageBytes(CompletionMessage.WithResult("1", resumed with { View = view }));
            protocol.GetMessageBytes(new InvocationMessage(nameof(IGameClient.TableEvent), [tableEvent]));
        }

        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(view, Sockets.SocketJson.Options);
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(tableEvent, Sockets.SocketJson.Options);
        return true;
    }

    /// <summary>A token sent to the hub path over plain HTTP: validated by the JwtBearer handler; no connection opens.</summary>
    private async Task<bool> HubTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (HttpAddress() is not { } address)
        {
            return false;
        }

        using var http = new HttpClient { BaseAddress = address, Timeout = StepLimit };
        using var response = await http.GetAsync($"{GameHub.Path}?access_token={Uri.EscapeDataString(token)}", cancellationToken);
        // A valid token passes the token check (401 otherwise); SignalR then refuses a GET that is not a connection.
        return response.StatusCode != System.Net.HttpStatusCode.Unauthorized;
    }

    /// <summary>A hub connection without a player: the handshake, then <c>Resume</c>, answered <c>auth_required</c>.</summary>
    private async Task<bool> HubAsync(CancellationToken cancellationToken)
    {
        if (HttpAddress() is not { } address)
        {
            return false;
        }

        using var socket = new ClientWebSocket();
        var hub = new UriBuilder(new Uri(address, GameHub.Path)) { Scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        await socket.ConnectAsync(hub, cancellationToken);
        await SendAsync(socket, """{"protocol":"json","version":1}""", cancellationToken);
        await ReceiveAsync(socket, "{", cancellationToken);
        await SendAsync(socket, """{"type":1,"invocationId":"1","target":"Resume","arguments":["rwarmup",0]}""", cancellationToken);
        var completion = await ReceiveAsync(socket, "\"type\":3", cancellationToken);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "warmed", cancellationToken);
        return completion.Contains(ErrorCodes.AuthRequired, StringComparison.Ordinal);
    }

    /// <summary>
    /// A made-up room (no record: <c>room_not_found</c>, nothing written, the table deactivates at once): subscribed to
    /// as a sign-in does, then resumed and viewed through each client, as a reconnecting player's calls go.
    /// </summary>
    private async Task<bool> TablesAsync()
    {
        var room = "rwarmup" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        using (var hold = await subscriptions.HoldAsync(room, refresh: true))
        {
            if (!hold.RoomMissing)
            {
                return false;
            }
        }

        var answers = await Task.WhenAll(routes.AllClients().Select(async client =>
        {
            var table = client.GetGrain<ITableGrain>(room);
            var resumed = await table.Resume(PlayerId, 0);
            var view = await table.GetView(PlayerId);
            return resumed.Error?.Code == ErrorCodes.RoomNotFound && view.Error?.Code == ErrorCodes.RoomNotFound;
        }));
        return answers.All(ok => ok);
    }

    /// <summary>This edge's own HTTP address (a wildcard host as loopback), or null when it has none.</summary>
    private Uri? HttpAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri;
    }

    private static Task SendAsync(ClientWebSocket socket, string message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Reads hub messages until one contains <paramref name="text"/> (pings may come first).</summary>
    private static async Task<string> ReceiveAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var pending = new StringBuilder();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the hub closed the connection: {socket.CloseStatusDescription}");
            }

            pending.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
            var messages = pending.ToString().Split('\u001e');
            if (messages[..^1].FirstOrDefault(m => m.Contains(text, StringComparison.Ordinal)) is { } message)
            {
                return message;
            }

            pending.Clear().Append(messages[^1]);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up before reporting ready: {Steps} in {Milliseconds} ms")]
    private static partial void LogWarmed(ILogger logger, string steps, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up step {Step} failed: {Reason}")]
    private static partial void LogStepFailed(ILogger logger, string step, string reason);
}
