using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using System.Reflection;

namespace CardGame.Edge.Tests;

/// <summary>
/// A WebSocket hub connection keeps its HttpContext until it closes: once open it lets go of the request's headers and
/// query (the token among them), and keeps working.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class LongLivedRequestTests(EdgesFixture fixture)
{
    [Fact]
    public async Task An_open_hub_connection_keeps_neither_the_token_header_nor_the_headers_it_was_opened_with()
    {
        var guest = await fixture.Edge1.SignInAsync("header");
        // The .NET client sends the token as an Authorization header on the WebSocket request.
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, guest.Token, guest.PlayerId, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.Headers["X-Test-Header"] = "kept-until-open";
        });
        await client.InvokeAsync<RoomInfo[]>("ListRooms");

        var request = OpenRequest(client);
        Assert.Empty(request.Headers);
        // Kestrel's header store keeps known headers' values after a clear (for a next request): not the token's.
        Assert.False(Holds(request.Headers, guest.Token, depth: 3), "the request's header store still holds the token");
        Assert.False(Holds(request.Headers, "kept-until-open", depth: 3), "the request's header store still holds a header");
        Assert.DoesNotContain(guest.Token, request.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget);
        await AssertStillPlaysAsync(client);
    }

    /// <summary>Whether a string containing <paramref name="text"/> is reachable from <paramref name="value"/> through its fields.</summary>
    private static bool Holds(object? value, string text, int depth)
    {
        switch (value)
        {
            case null:
                return false;
            case string s:
                return s.Contains(text, StringComparison.Ordinal);
            case System.Collections.IEnumerable items when value is not IHeaderDictionary:
                return depth > 0 && items.Cast<object?>().Any(item => Holds(item, text, depth - 1));
        }

        var type = value.GetType();
        if (depth == 0 || type.IsPrimitive || type.IsEnum || value is Delegate || value is Type)
        {
            return false;
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (Holds(field.GetValue(value), text, field.FieldType.IsValueType ? depth : depth - 1))
                {
                    return true;
                }
            }
        }

        return false;
    }

    [Fact]
    public async Task An_open_hub_connection_keeps_no_access_token_from_its_query_string()
    {
        var guest = await fixture.Edge1.SignInAsync("query");
        // As a browser does: the token in the query string of the WebSocket request.
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, playerId: guest.PlayerId, configure: options =>
        {
            options.Url = new Uri(fixture.Edge1.HubUrl + "?access_token=" + Uri.EscapeDataString(guest.Token));
            options.Transports = HttpTransportType.WebSockets;
        });
        await client.InvokeAsync<RoomInfo[]>("ListRooms");

        var request = OpenRequest(client);
        Assert.Empty(request.Query);
        Assert.Equal("", request.QueryString.Value ?? "");
        Assert.DoesNotContain(guest.Token, request.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget);
        await AssertStillPlaysAsync(client);
    }

    [Fact]
    public async Task An_open_hub_connection_keeps_its_player_but_no_principal_authentication_result_handler_activity_or_items()
    {
        var guest = await fixture.Edge1.SignInAsync("kept");
        await using var client = await GameClient.ConnectAsync(fixture.Edge1, guest.Token, guest.PlayerId, options =>
            options.Transports = HttpTransportType.WebSockets);
        await client.InvokeAsync<RoomInfo[]>("ListRooms");

        var connection = fixture.Edge1.Services.GetRequiredService<GameHubLifetimeManager>().Find(client.Connection.ConnectionId!)!;
        var context = connection.GetHttpContext()!;
        // The token's player is the connection's session's; SignalR holds no identity or claims of the token (it keeps
        // the connection's principal twice, for as long as the connection lives), only the player and its expiry.
        var session = fixture.Edge1.Services.GetRequiredService<GameHubLifetimeManager>()
            .SessionOf<object?>(client.Connection.ConnectionId!, null, _ => throw new InvalidOperationException("the connection has no session"));
        Assert.Equal(guest.PlayerId, session?.Player?.PlayerId);
        Assert.Empty(connection.User.Identities);
        Assert.Empty(context.User.Identities);
        Assert.Equal(guest.PlayerId, Assert.IsType<CardGame.Edge.Auth.HubToken>(connection.User).Player.PlayerId);
        // ASP.NET Core's authentication middleware would leave its result (ticket, properties) in the request...
        Assert.Null(context.Features.Get<IAuthenticateResultFeature>());
        Assert.Null(context.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticationFeature>());
        // ...and its handler in the request's services, for as long as the connection lives.
        var scope = context.RequestServices;
        var resolvedProperty = scope.GetType().GetProperty("ResolvedServices", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(resolvedProperty);
        var resolved = (System.Collections.IDictionary)resolvedProperty.GetValue(scope)!;
        Assert.DoesNotContain(resolved.Values.Cast<object?>(),
            service => service?.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Authentication", StringComparison.Ordinal) == true);
        // Hosting starts an Activity per request while its request log is on; a WebSocket request would keep it.
        Assert.Null(context.Features.Get<IHttpActivityFeature>()?.Activity);
        // SignalR makes a connection's Items (a concurrent dictionary) on first use; the session is kept elsewhere.
        var items = connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()!;
        var itemsField = items.GetType().GetField("_items", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(itemsField);
        Assert.Null(itemsField.GetValue(items));
        await AssertStillPlaysAsync(client);
    }

    private HttpRequest OpenRequest(GameClient client)
    {
        var connections = fixture.Edge1.Services.GetRequiredService<GameHubLifetimeManager>();
        return connections.Find(client.Connection.ConnectionId!)!.GetHttpContext()!.Request;
    }

    /// <summary>The connection still plays: it creates a room, joins it and gets the room's events.</summary>
    private static async Task AssertStillPlaysAsync(GameClient client)
    {
        var room = await client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("still here", 2));
        var joined = await client.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await client.WaitForSeqAsync(room.RoomId, joined.Seq);
    }
}
