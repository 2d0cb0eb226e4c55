using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// The shipped nginx configuration (<c>deploy/nginx.conf</c>) in front of a real edge and silo: operator surfaces are
/// not served through it, a client cannot choose its own address, and no token reaches any log of any process.
/// </summary>
public sealed class SideDoorsTests(SideDoorsTests.SideDoorsTopology topology, ITestOutputHelper output) : IClassFixture<SideDoorsTests.SideDoorsTopology>
{
    public const string DashboardPassword = "side-doors-dashboard-password";

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    [InlineData("/health/live")]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    public async Task Operator_surfaces_are_not_served_through_nginx_but_are_on_the_servers_own_addresses(string path)
    {
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(topology.Processes.NginxUrl + path)).StatusCode);
        // The game's own paths go through: an anonymous negotiate answers.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(topology.Processes.NginxUrl + "/hubs/game/negotiate?negotiateVersion=1", null)).StatusCode);
        if (!path.StartsWith("/dashboard", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(topology.Processes.Edges[0].Url + path)).StatusCode);
        }
    }

    [Fact]
    public async Task The_silo_dashboard_asks_for_the_operator_password()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var dashboard = topology.Processes.Silos[0].Url + "/dashboard";

        var anonymous = await http.GetAsync(dashboard);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, dashboard, "operator", "wrong-password-123")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, dashboard, "admin", DashboardPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, dashboard, "operator", DashboardPassword)).StatusCode);
    }

    [Fact]
    public async Task A_client_cannot_escape_the_sign_in_limit_by_writing_its_own_forwarded_header()
    {
        using var http = new HttpClient();
        var statuses = new List<HttpStatusCode>();
        string? retryAfter = null;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 60; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, topology.Processes.NginxUrl + "/api/auth/guest") { Content = JsonContent.Create(new { name = "spoofer" }) };
            request.Headers.Add("X-Forwarded-For", $"192.0.2.{i + 1}");
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                retryAfter ??= response.Headers.RetryAfter?.ToString();
            }
        }

        output.WriteLine($"60 sign-ins with 60 made-up forwarded addresses: {statuses.Count(s => s == HttpStatusCode.OK)} ok, {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} 429");
        // nginx's limit_req (rate=20r/m burst=20 nodelay) lets the first request and a burst of 20 more through, then
        // one more every 3 s: what the one real address may get in the time the 60 requests took, whatever they claim.
        var allowed = 1 + 20 + (int)(watch.Elapsed.TotalSeconds / 3);
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 0, allowed);
        Assert.Equal(60, statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        Assert.NotNull(retryAfter);
    }

    [Fact]
    public async Task No_token_used_through_nginx_reaches_any_log_of_any_process()
    {
        var tokens = topology.Guests.Select(g => g.Token).ToList();
        var url = topology.Processes.NginxUrl;

        // As browsers do: the token on the URL, for negotiate and for the WebSocket.
        await using (var alice = await ConnectWithTokenInQueryAsync(url, tokens[0], skipNegotiation: false))
        await using (var bob = await ConnectWithTokenInQueryAsync(url, tokens[1], skipNegotiation: true))
        {
            var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("log check", 2));
            await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
            await bob.InvokeAsync<Welcome>("Authenticate", tokens[1]);
        }

        using (var http = new HttpClient())
        {
            // Requests that fail carry the token too: a plain GET of the hub, the /ws endpoint, a bad token.
            await http.GetAsync($"{url}/hubs/game?access_token={tokens[0]}");
            await http.GetAsync($"{url}/ws?access_token={tokens[1]}");
            await http.GetAsync($"{url}/hubs/game/negotiate?access_token={tokens[0]}x");
        }

        // An edge that fails: the same shipped configuration in front of a port nothing listens on. nginx logs an
        // upstream failure with the request line, query string and all, unless its configuration says otherwise.
        List<(string Name, string Text)> failedLogs;
        await using (var failing = await NginxProcess.StartAsync([FreePorts.Next()], status => status == HttpStatusCode.BadGateway))
        using (var http = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.BadGateway, (await http.PostAsync($"{failing.Url}/hubs/game/negotiate?negotiateVersion=1&access_token={tokens[0]}", null)).StatusCode);
            Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync($"{failing.Url}/hubs/game?id=abc&access_token={tokens[1]}")).StatusCode);
            Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync($"{failing.Url}/ws?access_token={tokens[0]}")).StatusCode);
            Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync($"{failing.Url}/game?access_token={tokens[1]}")).StatusCode);
            await Assert.ThrowsAnyAsync<Exception>(() => ConnectWithTokenInQueryAsync(failing.Url, tokens[0], skipNegotiation: true));
            failedLogs = [.. (await failing.LogsAsync()).Select(l => ($"{l.Name} (edge down)", l.Text))];
        }

        var logs = (await topology.AllLogsAsync()).Concat(failedLogs).ToList();
        foreach (var (name, text) in logs)
        {
            output.WriteLine($"{name}: {text.Length} characters");
        }

        Assert.Contains(logs, l => l.Name == "nginx access.log" && l.Text.Contains("/hubs/game", StringComparison.Ordinal));
        // The failures are there for operators, in the access log: path, status, the edge tried and its answer.
        var failedAccess = failedLogs.Single(l => l.Name.StartsWith("nginx access.log", StringComparison.Ordinal)).Text;
        Assert.Contains("\"GET /hubs/game HTTP/1.1\" 502", failedAccess, StringComparison.Ordinal);
        Assert.Contains("\"GET /ws HTTP/1.1\" 502", failedAccess, StringComparison.Ordinal);
        Assert.Contains("upstream: 127.0.0.1:", failedAccess, StringComparison.Ordinal);
        Assert.Contains(failedLogs, l => l.Name.StartsWith("nginx error.log", StringComparison.Ordinal));
        foreach (var token in tokens)
        {
            var signature = token[(token.LastIndexOf('.') + 1)..];
            Assert.All(logs, log =>
            {
                Assert.DoesNotContain(signature, log.Text, StringComparison.Ordinal);
                Assert.DoesNotContain("access_token=", log.Text, StringComparison.Ordinal);
            });
        }
    }

    /// <summary>GET with basic auth, following redirects with the credentials (HttpClient drops them on a redirect).</summary>
    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, string user, string password)
    {
        var uri = new Uri(url);
        for (var hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            var response = await http.SendAsync(request);
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null || hop == 3)
            {
                return response;
            }

            uri = new Uri(uri, response.Headers.Location);
        }
    }

    private static async Task<HubConnection> ConnectWithTokenInQueryAsync(string url, string token, bool skipNegotiation)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl($"{url}/hubs/game?access_token={Uri.EscapeDataString(token)}", o =>
            {
                o.SkipNegotiation = skipNegotiation;
                o.Transports = HttpTransportType.WebSockets;
            })
            .Build();
        await connection.StartAsync();
        return connection;
    }

    /// <summary>Redis, a silo with its dashboard on, an edge and nginx; two guests signed in through nginx.</summary>
    public sealed class SideDoorsTopology : IAsyncLifetime
    {
        public ProcessTopology Processes { get; private set; } = null!;

        public IReadOnlyList<GuestToken> Guests { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Processes = await ProcessTopology.StartAsync(silos: 1, edges: 1, nginx: true, new Dictionary<string, string?>
            {
                ["Silo:Dashboard"] = "true",
                ["Silo:DashboardPassword"] = DashboardPassword,
            });
            Guests = [await GameBot.SignInAsync(Processes.NginxUrl, "alice"), await GameBot.SignInAsync(Processes.NginxUrl, "bob")];
        }

        /// <summary>Every log of every process: nginx's files, and what each silo and edge wrote.</summary>
        public async Task<List<(string Name, string Text)>> AllLogsAsync()
        {
            var logs = new List<(string Name, string Text)>();
            foreach (var file in Directory.GetFiles(Processes.NginxDirectory!, "*.log"))
            {
                logs.Add(($"nginx {Path.GetFileName(file)}", await File.ReadAllTextAsync(file)));
            }

            logs.AddRange(Processes.Silos.Concat(Processes.Edges).Select(s => (s.Name, s.Output)));
            return logs;
        }

        public async Task DisposeAsync() => await Processes.DisposeAsync();
    }
}
