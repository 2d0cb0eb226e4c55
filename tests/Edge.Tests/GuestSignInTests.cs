using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CardGame.Edge.Auth;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class GuestSignInTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Guest_sign_in_issues_a_signed_token_for_a_new_player_every_time()
    {
        var first = await fixture.Edge1.SignInAsync("  alice ");
        var second = await fixture.Edge2.SignInAsync("alice");

        Assert.Equal("alice", first.Name);
        Assert.NotEqual(first.PlayerId, second.PlayerId);
        var jwt = new JsonWebToken(first.Token);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(first.PlayerId, jwt.Subject);
        Assert.Equal("alice", jwt.GetClaim("name").Value);
        Assert.Equal("cardgame", jwt.Issuer);
        Assert.Equal(["cardgame"], jwt.Audiences);
        Assert.Equal(first.ExpiresAt.UtcDateTime, jwt.ValidTo);
        Assert.InRange(first.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(719), TimeSpan.FromMinutes(721));
    }

    [Fact]
    public async Task Guest_sign_in_answers_in_the_contract_shape()
    {
        using var response = await fixture.Edge1.Http.PostAsJsonAsync("/api/auth/guest", new { name = "bob" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["token", "playerId", "name", "expiresAt"], body.EnumerateObject().Select(p => p.Name));
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("expiresAt").GetString(), out _));
    }

    public static TheoryData<string> BadBodies => new()
    {
        "{\"name\": \"\"}",
        "{\"name\": \"    \"}",
        "{\"name\": \"abcdefghijklmnopqrstuvwxy\"}",
        "{\"name\": \"bad\\u0007name\"}",
        // Unicode format characters: a right-to-left override, a zero-width space, a zero-width joiner, a byte order mark, an isolate.
        "{\"name\": \"alice\\u202Egnp.exe\"}",
        "{\"name\": \"ad\\u200Bmin\"}",
        "{\"name\": \"bo\\u200Db\"}",
        "{\"name\": \"\\uFEFFcarol\"}",
        "{\"name\": \"dave\\u2066\"}",
        "{\"name\": \"line\\u2028break\"}",
        "{\"name\": \"lone\\uD800surrogate\"}",
        "{\"name\": 42}",
        "{}",
        "{\"name\": ",
        "",
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Guest_sign_in_rejects_a_missing_or_invalid_name_with_a_problem_body(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Edge1.Http.PostAsync("/api/auth/guest", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _));
    }

    [Theory]
    [InlineData("Zoë")]
    [InlineData("日本の名前")]
    [InlineData("ace \U0001F0A1 high")]
    public async Task Names_in_any_script_and_with_symbols_outside_the_basic_plane_are_accepted(string name)
    {
        var guest = await fixture.Edge1.SignInAsync(name);

        Assert.Equal(name, guest.Name);
    }

    [Fact]
    public async Task A_name_of_24_characters_is_accepted()
    {
        var guest = await fixture.Edge1.SignInAsync(new string('x', 24));

        Assert.Equal(24, guest.Name.Length);
    }

    [Fact]
    public async Task A_guest_token_works_on_the_other_edge()
    {
        GuestSignInResponse guest = await fixture.Edge1.SignInAsync("roamer");
        await using var client = await GameClient.ConnectAsync(fixture.Edge2);

        var welcome = await client.InvokeAsync<Welcome>("Authenticate", guest.Token);

        Assert.Equal(guest.PlayerId, welcome.PlayerId);
    }
}
