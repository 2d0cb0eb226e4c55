using System.Net;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class AuthenticationTests(EdgesFixture fixture)
{
    public static TheoryData<string, object?[]> EveryMethodButAuthenticate => new()
    {
        { "ListRooms", [] },
        { "CreateRoom", [new CreateRoomRequest("room", 2)] },
        { "JoinRoom", ["rsomeroom01"] },
        { "StartGame", ["rsomeroom01"] },
        { "TakeCard", ["rsomeroom01"] },
        { "PutCard", ["rsomeroom01", "QS", null] },
        { "LeaveRoom", ["rsomeroom01"] },
        { "GetTable", ["rsomeroom01"] },
    };

    [Theory]
    [MemberData(nameof(EveryMethodButAuthenticate))]
    public async Task Without_a_token_every_method_but_Authenticate_fails_with_auth_required(string method, object?[] args)
    {
        await using var anonymous = await GameClient.ConnectAsync(fixture.Edge1);

        await anonymous.AssertFailsAsync(ErrorCodes.AuthRequired, method, args);
    }

    [Fact]
    public async Task A_token_sent_at_connect_authenticates_the_connection_as_its_player()
    {
        var guest = await fixture.Edge1.SignInAsync("carol");
        await using var client = await GameClient.ConnectAsync(fixture.Edge2, guest.Token, guest.PlayerId);

        var rooms = await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
        var welcome = await client.InvokeAsync<Welcome>("Authenticate", guest.Token);

        Assert.NotNull(rooms);
        Assert.Equal(new Welcome(guest.PlayerId, "carol", null), welcome);
    }

    [Fact]
    public async Task A_token_in_the_Authorization_header_authenticates_the_connection()
    {
        var guest = await fixture.Edge1.SignInAsync("dave");
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, configure: o =>
        {
            o.Headers["Authorization"] = "Bearer " + guest.Token;
            o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
        });

        var room = await client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("by header", null));

        Assert.Equal(4, room.Seats);
    }

    [Fact]
    public async Task Authenticate_as_the_first_invocation_welcomes_the_player_and_unlocks_the_other_methods()
    {
        var playerId = TestTokens.NewPlayerId();
        await using var client = await GameClient.ConnectAsync(fixture.Edge1);

        var welcome = await client.InvokeAsync<Welcome>("Authenticate", TestTokens.Create(playerId, "erin"));
        var rooms = await client.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");

        Assert.Equal(new Welcome(playerId, "erin", null), welcome);
        Assert.NotNull(rooms);
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "forged", TestTokens.Create(TestTokens.NewPlayerId(), key: "another-key-that-is-long-enough-0123456789") },
        { "wrong audience", TestTokens.Create(TestTokens.NewPlayerId(), audience: "another-game") },
        { "wrong issuer", TestTokens.Create(TestTokens.NewPlayerId(), issuer: "someone-else") },
        { "not a JWT", "not-a-token" },
        { "unsigned", UnsignedToken() },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Authenticate_rejects_a_bad_token_with_invalid_token(string kind, string token)
    {
        await using var client = await GameClient.ConnectAsync(fixture.Edge1);

        var message = await client.AssertFailsAsync(ErrorCodes.InvalidToken, "Authenticate", token);

        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        await client.AssertFailsAsync(ErrorCodes.AuthRequired, "ListRooms");
        Assert.NotEmpty(kind);
    }

    [Fact]
    public async Task Authenticate_rejects_an_expired_token_with_token_expired()
    {
        await using var client = await GameClient.ConnectAsync(fixture.Edge1);
        var expired = TestTokens.Create(TestTokens.NewPlayerId(), expires: DateTime.UtcNow.AddMinutes(-10));

        await client.AssertFailsAsync(ErrorCodes.TokenExpired, "Authenticate", expired);
        await client.AssertFailsAsync(ErrorCodes.AuthRequired, "ListRooms");
    }

    public static TheoryData<string> BadTokensAtConnect => new()
    {
        TestTokens.Create(TestTokens.NewPlayerId(), key: "another-key-that-is-long-enough-0123456789"),
        TestTokens.Create(TestTokens.NewPlayerId(), audience: "another-game"),
        TestTokens.Create(TestTokens.NewPlayerId(), expires: DateTime.UtcNow.AddMinutes(-10)),
    };

    [Theory]
    [MemberData(nameof(BadTokensAtConnect))]
    public async Task A_forged_wrong_audience_or_expired_token_at_connect_is_refused_with_401(string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(fixture.Edge2.HubUrl, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await using var _ = connection;

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task A_connection_cannot_switch_to_another_player()
    {
        var guest = await fixture.Edge1.SignInAsync("frank");
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, guest.Token, guest.PlayerId);

        await client.AssertFailsAsync(ErrorCodes.BadRequest, "Authenticate", TestTokens.Create(TestTokens.NewPlayerId()));
    }

    [Fact]
    public async Task No_token_ever_appears_in_the_edges_logs()
    {
        // Tokens travel in the query string (WebSockets), the Authorization header and Authenticate's argument.
        var guest = await fixture.Edge1.SignInAsync("grace");
        await using (var byQuery = await GameClient.ConnectAsync(fixture.Edge1, guest.Token, guest.PlayerId))
        {
            await byQuery.InvokeAsync<Welcome>("Authenticate", guest.Token);
        }

        await using (var byHeader = await GameClient.ConnectAsync(fixture.Edge2, configure: o => o.Headers["Authorization"] = "Bearer " + guest.Token))
        {
            await byHeader.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
        }

        var forged = TestTokens.Create(TestTokens.NewPlayerId(), key: "another-key-that-is-long-enough-0123456789");
        // As a browser sends it: in the query string.
        using (var negotiate = await fixture.Edge1.Http.PostAsync($"/hubs/game/negotiate?negotiateVersion=1&access_token={guest.Token}", null))
        using (var refused = await fixture.Edge2.Http.PostAsync($"/hubs/game/negotiate?negotiateVersion=1&access_token={forged}", null))
        {
            Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => GameClient.ConnectAsync(fixture.Edge1, forged));
        await using (var anonymous = await GameClient.ConnectAsync(fixture.Edge2))
        {
            await anonymous.ErrorOfAsync("Authenticate", forged);
        }

        var lines = fixture.Edges.SelectMany(e => e.Logs.Lines).ToList();
        Assert.Contains(lines, l => l.Contains("/hubs/game", StringComparison.Ordinal));
        foreach (var token in new[] { guest.Token, forged })
        {
            var signature = token[(token.LastIndexOf('.') + 1)..];
            Assert.True(!lines.Any(l => l.Contains(signature, StringComparison.Ordinal)), string.Join("\n", lines.Where(l => l.Contains(signature, StringComparison.Ordinal))));
        }
    }

    private static string UnsignedToken()
    {
        static string Part(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Part("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Part($"{{\"sub\":\"{TestTokens.NewPlayerId()}\",\"name\":\"x\",\"iss\":\"cardgame\",\"aud\":\"cardgame\",\"exp\":{exp}}}")}.";
    }
}
