using System.Text.Json;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>
/// A game client as a bot would write one: the official SignalR client on the JSON protocol. Records every
/// <c>TableEvent</c> in arrival order, as parsed and as the raw JSON payload.
/// </summary>
public sealed class GameClient : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<TableEvent> _events = [];
    private readonly List<JsonElement> _rawEvents = [];
    private readonly List<(LobbyEvent Event, DateTimeOffset ReceivedAt)> _lobbyEvents = [];
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GameClient(HubConnection connection, string? playerId, string? token)
    {
        Connection = connection;
        PlayerId = playerId;
        Token = token;
        connection.On<JsonElement>("TableEvent", raw =>
        {
            var tableEvent = raw.Deserialize<TableEvent>(JsonSerializerOptions.Web)!;
            lock (_gate)
            {
                _events.Add(tableEvent);
                _rawEvents.Add(raw.Clone());
            }
        });
        connection.On<LobbyEvent>("LobbyEvent", lobbyEvent =>
        {
            lock (_gate)
            {
                _lobbyEvents.Add((lobbyEvent, DateTimeOffset.UtcNow));
            }
        });
        connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    public string? PlayerId { get; }

    public string? Token { get; }

    /// <summary>Completes when the server closes the connection (with the error, if any).</summary>
    public Task<Exception?> Closed => _closed.Task;

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

    public IReadOnlyList<LobbyEvent> LobbyEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _lobbyEvents.Select(e => e.Event)];
            }
        }
    }

    /// <summary>The lobby events received, with when each arrived.</summary>
    public IReadOnlyList<(LobbyEvent Event, DateTimeOffset ReceivedAt)> LobbyEventTimes
    {
        get
        {
            lock (_gate)
            {
                return [.. _lobbyEvents];
            }
        }
    }

    public IReadOnlyList<JsonElement> RawEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _rawEvents];
            }
        }
    }

    /// <summary>Signs in a new guest on <paramref name="edge"/> and connects with its token as access_token.</summary>
    public static async Task<GameClient> SignInAsync(EdgeServer edge, string name)
    {
        var guest = await edge.SignInAsync(name);
        return await ConnectAsync(edge, guest.Token, guest.PlayerId);
    }

    /// <summary>Connects, with <paramref name="token"/> as access_token when given.</summary>
    public static async Task<GameClient> ConnectAsync(EdgeServer edge, string? token = null, string? playerId = null, Action<HttpConnectionOptions>? configure = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(edge.HubUrl, options =>
            {
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }

                configure?.Invoke(options);
            })
            .Build();
        var client = new GameClient(connection, playerId, token);
        await connection.StartAsync();
        return client;
    }

    public Task<T> InvokeAsync<T>(string method, params object?[] args) => Connection.InvokeCoreAsync<T>(method, args);

    public Task InvokeAsync(string method, params object?[] args) => Connection.InvokeCoreAsync(method, args);

    /// <summary>Invokes, waiting and retrying while the server answers <c>rate_limited</c> (as a polite bot does).</summary>
    public async Task<T> InvokePatientlyAsync<T>(string method, params object?[] args)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await InvokeAsync<T>(method, args);
            }
            catch (HubException ex) when (GameError.FromHubMessage(ex.Message)?.Code == ErrorCodes.RateLimited && attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>The error message of a call that must fail with a HubException.</summary>
    public async Task<string> ErrorOfAsync(string method, params object?[] args)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => InvokeAsync<object?>(method, args));
        return error.Message;
    }

    /// <summary>Asserts the call fails with <paramref name="code"/> and returns the full message.</summary>
    public async Task<string> AssertFailsAsync(string code, string method, params object?[] args)
    {
        var message = await ErrorOfAsync(method, args);
        Assert.Equal(code, GameError.FromHubMessage(message)?.Code);
        return message;
    }

    /// <summary>
    /// As <see cref="AssertFailsAsync"/>, but a <c>rate_limited</c> refusal (which changes nothing) is waited out and the
    /// call sent again, as a polite bot does: for tests that send more than the per-connection limit allows.
    /// </summary>
    public async Task<string> AssertFailsPatientlyAsync(string code, string method, params object?[] args)
    {
        for (var attempt = 0; ; attempt++)
        {
            var message = await ErrorOfAsync(method, args);
            if (GameError.FromHubMessage(message)?.Code == ErrorCodes.RateLimited && code != ErrorCodes.RateLimited && attempt < 40)
            {
                await Task.Delay(250);
                continue;
            }

            Assert.Equal(code, GameError.FromHubMessage(message)?.Code);
            return message;
        }
    }

    public IReadOnlyList<TableEvent> EventsOf(string roomId) => [.. Events.Where(e => e.RoomId == roomId)];

    public async Task<TableEvent> WaitForEventAsync(Func<TableEvent, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (Events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                var seen = string.Join(", ", Events.Select(e => $"{e.Seq}:{e.Kind}:{e.PlayerId}"));
                throw new TimeoutException($"no matching event for {PlayerId}; received: {seen}");
            }

            await Task.Delay(20);
        }
    }

    public async Task<LobbyEvent> WaitForLobbyEventAsync(Func<LobbyEvent, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (LobbyEvents.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                var seen = string.Join(", ", LobbyEvents.Select(e => $"{e.Kind}:{e.Room.RoomId}:{e.Room.Players}"));
                throw new TimeoutException($"no matching lobby event for {PlayerId}; received: {seen}");
            }

            await Task.Delay(20);
        }
    }

    public Task<TableEvent> WaitForSeqAsync(string roomId, long seq, TimeSpan? timeout = null) =>
        WaitForEventAsync(e => e.RoomId == roomId && e.Seq >= seq, timeout);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
