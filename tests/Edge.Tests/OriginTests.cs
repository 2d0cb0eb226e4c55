using System.Net;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class OriginTests(EdgesFixture fixture)
{
    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("https://127.0.0.1.evil.example")]
    [InlineData("null")]
    public async Task A_page_from_a_disallowed_origin_is_refused_with_403(string origin)
    {
        using var response = await NegotiateAsync(fixture.Edge1, origin);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_SignalR_client_on_a_disallowed_origin_cannot_connect()
    {
        var guest = await fixture.Edge1.SignInAsync("mallory");
        var connection = new HubConnectionBuilder()
            .WithUrl(fixture.Edge1.HubUrl, o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(guest.Token);
                o.Headers["Origin"] = "http://evil.example";
            })
            .Build();
        await using var _ = connection;

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task A_WebSocket_upgrade_from_a_disallowed_origin_is_refused()
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        var url = new UriBuilder(fixture.Edge1.HubUrl) { Scheme = "ws" }.Uri;

        var error = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(url, CancellationToken.None));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_edges_own_origin_a_listed_origin_and_no_origin_are_allowed()
    {
        var own = fixture.Edge1.Address.GetLeftPart(UriPartial.Authority);

        using var same = await NegotiateAsync(fixture.Edge1, own);
        using var listed = await NegotiateAsync(fixture.Edge1, EdgesFixture.AllowedOrigin);
        using var none = await NegotiateAsync(fixture.Edge1, null);
        using var otherEdge = await NegotiateAsync(fixture.Edge1, fixture.Edge2.Address.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(EdgesFixture.AllowedOrigin, listed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherEdge.StatusCode);
    }

    [Fact]
    public async Task Other_endpoints_do_not_check_the_origin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("Origin", "http://evil.example");

        using var response = await fixture.Edge1.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(EdgeServer edge, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/game/negotiate?negotiateVersion=1");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await edge.Http.SendAsync(request);
    }
}
