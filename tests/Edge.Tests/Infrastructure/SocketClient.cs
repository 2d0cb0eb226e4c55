using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>
/// A <c>/ws</c> client as a script without a SignalR library would write one: a raw <see cref="ClientWebSocket"/>,
/// JSON text frames. Requests carry an id; replies are matched by it. Records every event in arrival order and every
/// frame that is no reply (the room list after auth, errors without an id).
/// </summary>
public sealed class SocketClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TaskCompletionSource<JsonObject>> _pending = [];
    private readonly List<TableEvent> _events = [];
    private readonly Channel<JsonObject> _unsolicited = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _receiving;
    private int _nextId;

    private SocketClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveAllAsync();
    }

    public string? PlayerId { get; private set; }

    /// <summary>Completes when the server closes the connection, with its close status and description.</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> Closed => _closed.Task;

    public WebSocketState State => _socket.State;

    public IReadOnlyList<TableEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public static Uri SocketUrl(EdgeServer edge) => new UriBuilder(edge.Address) { Scheme = "ws", Path = "/ws" }.Uri;

    public static async Task<SocketClient> ConnectAsync(EdgeServer edge, string? origin = null)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        await socket.ConnectAsync(SocketUrl(edge), CancellationToken.None);
        return new SocketClient(socket);
    }

    /// <summary>A guest signed in over HTTP, connected and authenticated over <c>/ws</c>.</summary>
    public static async Task<SocketClient> SignInAsync(EdgeServer edge, string name)
    {
        var guest = await edge.SignInAsync(name);
        var client = await ConnectAsync(edge);
        await client.CallAsync<Welcome>("auth", new { token = guest.Token });
        var rooms = await client.NextUnsolicitedAsync();
        Assert.Equal("room_list", (string?)rooms["msg"]);
        return client;
    }

    /// <summary>Sends a request and returns the whole reply frame (a result or an error).</summary>
    public async Task<JsonObject> RequestAsync(string msg, object? arguments = null)
    {
        var id = "r" + Interlocked.Increment(ref _nextId);
        var frame = arguments is null ? [] : JsonSerializer.SerializeToNode(arguments, JsonSerializerOptions.Web)!.AsObject();
        frame["msg"] = msg;
        frame["id"] = id;
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending[id] = reply;
        }

        await SendTextAsync(frame.ToJsonString());
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// As <see cref="RequestAsync"/>, but sent again after a moment while the reply is <c>rate_limited</c> (tests that
    /// play whole games send faster than a person).
    /// </summary>
    public async Task<JsonObject> RequestPatientlyAsync(string msg, object? arguments = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var reply = await RequestAsync(msg, arguments);
            if ((string?)reply["code"] != ErrorCodes.RateLimited || attempt >= 40)
            {
                return reply;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The result of a request that must succeed.</summary>
    public async Task<T> CallAsync<T>(string msg, object? arguments = null)
    {
        var reply = await RequestPatientlyAsync(msg, arguments);
        Assert.True((string?)reply["msg"] == msg, $"{msg} failed: {reply.ToJsonString()}");
        if (msg == "auth")
        {
            PlayerId = (string?)reply["result"]?["playerId"];
        }

        return reply["result"].Deserialize<T>(JsonSerializerOptions.Web)!;
    }

    /// <summary>Asserts the request fails with <paramref name="code"/>; returns the error's text.</summary>
    public async Task<string> AssertFailsAsync(string code, string msg, object? arguments = null)
    {
        var reply = code == ErrorCodes.RateLimited ? await RequestAsync(msg, arguments) : await RequestPatientlyAsync(msg, arguments);
        Assert.True((string?)reply["msg"] == "error" && (string?)reply["code"] == code, $"{msg} should fail with {code}: {reply.ToJsonString()}");
        return (string)reply["text"]!;
    }

    /// <summary>The next frame that was no reply to a request.</summary>
    public async Task<JsonObject> NextUnsolicitedAsync(TimeSpan? timeout = null) =>
        await _unsolicited.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    public IReadOnlyList<TableEvent> EventsOf(string roomId) => [.. Events.Where(e => e.RoomId == roomId)];

    /// <summary>Waits until this client has received the events of <paramref name="roomId"/> up to <paramref name="seq"/>.</summary>
    public async Task WaitForSeqAsync(string roomId, long seq, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (EventsOf(roomId).LastOrDefault()?.Seq < seq || EventsOf(roomId).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"room {roomId}: seq {seq} not received in time (have {EventsOf(roomId).LastOrDefault()?.Seq})");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException)
            {
            }
        }

        _socket.Abort();
        await _receiving;
        _socket.Dispose();
    }

    private async Task ReceiveAllAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += received.Count;
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((received.CloseStatus, received.CloseStatusDescription));
                    return;
                }

                Route(JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult((null, ex.GetType().Name));
        }
        finally
        {
            lock (_gate)
            {
                foreach (var pending in _pending.Values)
                {
                    pending.TrySetException(new WebSocketException("the connection closed"));
                }
            }
        }
    }

    private void Route(JsonObject frame)
    {
        if ((string?)frame["msg"] == "event")
        {
            var tableEvent = frame["event"].Deserialize<TableEvent>(JsonSerializerOptions.Web)!;
            lock (_gate)
            {
                _events.Add(tableEvent);
            }

            return;
        }

        TaskCompletionSource<JsonObject>? reply = null;
        if (frame["id"] is JsonValue id && id.TryGetValue<string>(out var key))
        {
            lock (_gate)
            {
                _pending.Remove(key, out reply);
            }
        }

        if (reply is not null)
        {
            reply.TrySetResult(frame);
        }
        else
        {
            _unsolicited.Writer.TryWrite(frame);
        }
    }
}
