extern alias loadtest;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CardGame.TestSupport;
using loadtest::CardGame.LoadTest.Running;
using Spectre.Console;
using Xunit.Abstractions;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// An edge stopped with SIGTERM drains: readiness fails and new connections get 503 at once, every client is told to
/// move (close reason <c>server_draining</c>), the load tool's players reconnect through nginx to the other edge and
/// carry on with <c>Resume</c>, and the edge waits for a client that does not go no longer than <c>Edge:DrainSeconds</c>.
/// </summary>
public sealed partial class EdgeDrainTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int DrainSeconds = 6;

    private ProcessTopology _topology = null!;

    public async Task InitializeAsync() => _topology = await ProcessTopology.StartAsync(silos: 1, edges: 2, nginx: true,
        edgeSettings: new Dictionary<string, string?> { ["Edge:DrainSeconds"] = DrainSeconds.ToString() });

    public async Task DisposeAsync() => await _topology.DisposeAsync();

    [Fact]
    public async Task A_stopping_edge_fails_readiness_refuses_new_connections_and_its_players_move_to_the_other_edge_and_play_on()
    {
        var options = new LoadTestOptions
        {
            Edges = [new Uri(_topology.NginxUrl + "/")],
            Players = 8,
            Seats = 4,
            Think = TimeSpan.FromMilliseconds(100),
            Warmup = TimeSpan.FromSeconds(10),
            Duration = MeasuredPlay.Longest, // ended once 20 moves after the drain were measured
            Seed = 11,
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        var runner = new LoadRunner(options, console);
        using var enough = new CancellationTokenSource();
        var running = runner.RunAsync(enough.Token);

        // nginx balances by client address: every player sits on one edge. That one is stopped once the players are
        // seated and their games dealt (the warm-up has begun; moves are measured after it).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var edge = await WaitForConnectionsAsync(http, 8);
        await runner.Playing.WaitAsync(TimeSpan.FromSeconds(90));

        // A client that ignores being told to move: the edge waits for it, but only Edge:DrainSeconds.
        using var stubborn = await ConnectRawAsync(http, edge, collectResponse: false);

        // A plain /ws client, signed in: told to move too (status 1001 with the same reason), it goes.
        using var plain = await ConnectPlainAsync(http, edge);

        var timer = Stopwatch.StartNew();
        var stopping = edge.StopAsync(TimeSpan.FromSeconds(DrainSeconds + 30));
        var notReady = false;
        var refused = false;
        while (!edge.HasExited && !(notReady && refused))
        {
            notReady |= (await TryGetStatusAsync(http, edge.Url + "/health/ready")) == HttpStatusCode.ServiceUnavailable;
            if (!refused)
            {
                using var late = await ConnectRawAsync(http, edge, collectResponse: true, expectFailure: true);
                refused = late.HttpStatusCode == HttpStatusCode.ServiceUnavailable;
            }
        }

        var closeReason = await ReadUntilCloseMessageAsync(stubborn);
        var (plainStatus, plainReason) = await ReadUntilClosedAsync(plain);
        await stopping;
        var drained = runner.Measured;
        output.WriteLine($"the edge stopped {timer.Elapsed.TotalSeconds:F1} s after SIGTERM (Edge:DrainSeconds {DrainSeconds})");
        Assert.True(notReady, "/health/ready never failed while the edge drained");
        Assert.True(refused, "a new connection to the draining edge was not refused with 503");
        using (var close = JsonDocument.Parse(closeReason))
        {
            Assert.Equal(7, close.RootElement.GetProperty("type").GetInt32());
            Assert.Equal("server_draining: this server is restarting; reconnect to carry on", close.RootElement.GetProperty("error").GetString());
            Assert.True(close.RootElement.GetProperty("allowReconnect").GetBoolean());
        }

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, plainStatus);
        Assert.StartsWith("server_draining: ", plainReason);
        Assert.InRange(timer.Elapsed.TotalSeconds, DrainSeconds - 0.5, DrainSeconds + 20);

        await MeasuredPlay.EndOnceMeasuredAsync(runner, running, enough, actions: 20, games: 0, since: drained);
        var report = await running;
        output.WriteLine($"actions {report.Actions}, games finished {report.GamesFinished}, reconnects {report.Reconnects}, "
            + $"moves resent {report.MovesResent}, lost {report.ConnectionsLost}, errors {string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))}");
        foreach (var (code, message) in report.ErrorSamples)
        {
            output.WriteLine($"first {code}: {message}");
        }

        if (report.Seated != 8)
        {
            foreach (var server in _topology.Edges.Concat(_topology.Silos))
            {
                output.WriteLine($"--- {server.Url}\n{server.Tail(60)}");
            }
        }

        Assert.True(report.ViolationCount == 0, string.Join(Environment.NewLine, report.ViolationSamples));
        Assert.Equal(8, report.Seated);
        Assert.Equal(0, report.ConnectionsLost);
        Assert.True(report.Reconnects >= 8, $"{report.Reconnects} reconnects");
        Assert.True(report.Actions >= 20, $"{report.Actions} moves measured after the drain");
    }

    private async Task<ServerProcess> WaitForConnectionsAsync(HttpClient http, int connections)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            foreach (var edge in _topology.Edges)
            {
                var metrics = await http.GetStringAsync(edge.Url + "/metrics");
                var match = ConnectionsGauge().Match(metrics);
                if (match.Success && double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= connections)
                {
                    return edge;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"no edge had {connections} connections within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>A hub connection made by hand (WebSocket, JSON handshake) straight to <paramref name="edge"/>.</summary>
    private static async Task<ClientWebSocket> ConnectRawAsync(HttpClient http, ServerProcess edge, bool collectResponse, bool expectFailure = false)
    {
        var token = await SignInAsync(http, edge);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = collectResponse;
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{edge.HttpPort}/hubs/game?access_token={token}"), CancellationToken.None);
        }
        catch (WebSocketException) when (expectFailure)
        {
            return socket;
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var handshake = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, handshake.Count));
        return socket;
    }

    /// <summary>A plain <c>/ws</c> connection straight to <paramref name="edge"/>, authenticated.</summary>
    private static async Task<ClientWebSocket> ConnectPlainAsync(HttpClient http, ServerProcess edge)
    {
        var token = await SignInAsync(http, edge);
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{edge.HttpPort}/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"msg\":\"auth\",\"id\":1,\"token\":\"{token}\"}}"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var reply = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Contains("\"msg\":\"auth\"", Encoding.UTF8.GetString(buffer, 0, reply.Count));
        return socket;
    }

    /// <summary>Reads frames until the server closes; answers the close and returns its status and reason.</summary>
    private static async Task<(WebSocketCloseStatus? Status, string? Reason)> ReadUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16384];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return (result.CloseStatus, result.CloseStatusDescription);
            }
        }
    }

    private static async Task<string> SignInAsync(HttpClient http, ServerProcess edge)
    {
        try
        {
            var response = await http.PostAsJsonAsync(edge.Url + "/api/auth/guest", new { name = "stubborn" });
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<GuestToken>())!.Token : "";
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    private static async Task<HttpStatusCode?> TryGetStatusAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads hub frames (pings included) until the close message; returns it.</summary>
    private static async Task<string> ReadUntilCloseMessageAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16384];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = new StringBuilder();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return text.ToString();
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            foreach (var frame in text.ToString().Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
            {
                if (frame.Contains("\"type\":7", StringComparison.Ordinal))
                {
                    return frame;
                }
            }
        }
    }

    [GeneratedRegex(@"^cardgame_edge_connections(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex ConnectionsGauge();
}
