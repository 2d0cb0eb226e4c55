using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace CardGame.Edge.Tests;

/// <summary>
/// Guest sign-ins are limited per client address: a flood gets <c>429</c> with <c>Retry-After</c> after the burst and
/// costs the cluster nothing more. The client address comes from <c>X-Forwarded-For</c> only when the request comes
/// from a trusted proxy. The edge here trusts 127.0.0.1 only; an untrusted client is reached from 127.0.0.3.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class GuestSignInLimitTests(EdgesFixture fixture) : IAsyncLifetime
{
    private const int Burst = 5;

    private EdgeServer _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
    {
        ["Edge:GuestSignInsPerMinute"] = "2",
        ["Edge:GuestSignInBurst"] = Burst.ToString(),
        ["Edge:TrustedProxies:0"] = "127.0.0.1",
    });

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task A_flood_of_sign_ins_from_one_address_gets_429_with_retry_after_while_another_address_signs_in()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 200; i++)
        {
            var response = await SignInAsync(_edge.Http, "198.51.100.10");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused ??= response;
            }
        }

        Assert.Equal(Burst, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(200 - Burst, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(refused);
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(_edge.Http, "198.51.100.11")).StatusCode);
    }

    [Fact]
    public async Task An_untrusted_client_cannot_escape_the_limit_by_writing_its_own_forwarded_header()
    {
        using var fromElsewhere = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectFrom(IPAddress.Parse("127.0.0.3")) }) { BaseAddress = _edge.Address };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Burst * 4; i++)
        {
            // A different made-up address every time: believed, it would give a fresh allowance each time.
            statuses.Add((await SignInAsync(fromElsewhere, $"192.0.2.{i + 1}")).StatusCode);
        }

        Assert.Equal(Burst, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.All(statuses.Skip(Burst), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient http, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = JsonContent.Create(new { name = "flood" }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await http.SendAsync(request);
    }

    /// <summary>Connects from <paramref name="local"/> (another loopback address) instead of 127.0.0.1.</summary>
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress local) => async (context, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
