using System.Collections.Concurrent;
using System.Net.Http.Json;
using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.TestSupport;

/// <summary>
/// A player over the real wire: signs in as a guest over HTTP, connects to <c>/hubs/game</c> with the official
/// SignalR client, records every <c>TableEvent</c> it receives, and can play legal moves.
/// </summary>
public sealed class GameBot : IAsyncDisposable
{
    private GameBot(string edgeUrl, GuestToken token, HubConnection connection)
    {
        EdgeUrl = edgeUrl;
        Token = token;
        Connection = connection;
        connection.On<TableEvent>(nameof(IGameClient.TableEvent), e => Events.Enqueue(e));
    }

    public string EdgeUrl { get; }

    public GuestToken Token { get; }

    public string PlayerId => Token.PlayerId;

    public HubConnection Connection { get; }

    public ConcurrentQueue<TableEvent> Events { get; } = new();

    public static async Task<GuestToken> SignInAsync(string edgeUrl, string name)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync($"{edgeUrl}/api/auth/guest", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestToken>())!;
    }

    /// <summary>Signs in (or reuses <paramref name="token"/>) and connects to <paramref name="edgeUrl"/>.</summary>
    public static async Task<GameBot> ConnectAsync(string edgeUrl, string name, GuestToken? token = null)
    {
        token ??= await SignInAsync(edgeUrl, name);
        var connection = new HubConnectionBuilder()
            .WithUrl($"{edgeUrl}/hubs/game", o => o.AccessTokenProvider = () => Task.FromResult<string?>(token.Token))
            .Build();
        var bot = new GameBot(edgeUrl, token, connection);
        await connection.StartAsync();
        return bot;
    }

    public Task<TableView> GetTableAsync(string roomId) => Connection.InvokeAsync<TableView>("GetTable", roomId);

    /// <summary>Plays one legal move if it is this bot's turn: a matching card, else an 8, else take.</summary>
    public async Task<TableView?> PlayIfMyTurnAsync(string roomId)
    {
        var view = await GetTableAsync(roomId);
        if (view.Phase != Phases.Playing || view.Turn != PlayerId)
        {
            return null;
        }

        return MoveChooser.ChoosePut(view) is { } move
            ? await Connection.InvokeAsync<TableView>("PutCard", roomId, move.Card, move.Suit)
            : await Connection.InvokeAsync<TableView>("TakeCard", roomId);
    }

    /// <summary>Waits until this bot has received the event with <paramref name="seq"/>.</summary>
    public async Task WaitForSeqAsync(long seq, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!Events.Any(e => e.Seq >= seq))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{PlayerId} never received seq {seq}; last {Events.LastOrDefault()?.Seq}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    /// <summary>Plays a game between <paramref name="bots"/> to its end (whoever's turn it is moves). Returns the final view.</summary>
    public static async Task<TableView> PlayToEndAsync(IReadOnlyList<GameBot> bots, string roomId, int maxMoves = 3000)
    {
        for (var i = 0; i < maxMoves; i++)
        {
            try
            {
                var view = await bots[0].GetTableAsync(roomId);
                if (view.Phase != Phases.Playing)
                {
                    return view;
                }

                var mover = bots.Single(b => b.PlayerId == view.Turn);
                await mover.PlayIfMyTurnAsync(roomId);
            }
            catch (HubException ex) when (GameError.FromHubMessage(ex.Message)?.Code == ErrorCodes.RateLimited)
            {
                // As a well-behaved client does: slow down and carry on.
                await Task.Delay(500);
            }
        }

        throw new InvalidOperationException($"no winner within {maxMoves} moves");
    }
}

/// <summary>The answer of <c>POST /api/auth/guest</c>.</summary>
public sealed record GuestToken(string Token, string PlayerId, string Name, DateTimeOffset ExpiresAt);
