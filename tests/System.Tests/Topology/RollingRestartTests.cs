extern alias loadtest;

using System.Diagnostics;
using System.Text.RegularExpressions;
using CardGame.TestSupport;
using loadtest::CardGame.LoadTest.Checking;
using loadtest::CardGame.LoadTest.Running;
using Spectre.Console;
using Xunit.Abstractions;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// <c>scripts/rolling-restart.sh</c> restarts every silo, then every edge, one at a time, while 100 load-tool players
/// play through nginx on 2 edges and 2 silos: nothing is lost, nobody is unseated, every check of the load tool holds.
/// </summary>
public sealed partial class RollingRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Players = 100;

    private readonly string _nginxErrors = Path.Combine(Path.GetTempPath(), $"cardgame-rr-{Guid.NewGuid():N}.log");
    private ProcessTopology _topology = null!;

    public async Task InitializeAsync()
    {
        // 100 players from one address: the per-address limits of the edges are raised through configuration, as an
        // operator would for a load test (the defaults stay as shipped).
        _topology = await ProcessTopology.StartAsync(silos: 2, edges: 2, nginx: false, edgeSettings: new Dictionary<string, string?>
        {
            ["Edge:GuestSignInsPerMinute"] = "1000",
            ["Edge:GuestSignInBurst"] = "1000",
            ["Edge:MaxConnectionsPerAddress"] = "1000",
            ["Edge:DrainSeconds"] = "10",
        });
        // The shipped nginx config, with its per-address limits raised the same way, and without ip_hash: every test
        // client comes from 127.0.0.1 (ip_hash would put all of them on one edge), and the load tool's clients skip
        // negotiation (WebSockets only), which the config says works with any balancing.
        await _topology.StartNginxAsync(config => Replace(Replace(Replace(Replace(config,
            "error_log stderr emerg;", $"error_log {_nginxErrors} info;"),
            "ip_hash;", ""),
            "burst=20 ", "burst=1000 "),
            "limit_conn cardgame_connections 100;", "limit_conn cardgame_connections 1000;"));
    }

    /// <summary>Set once the run met every target: the servers' logs of any other run are kept (<see cref="KeepLogsAsync"/>).</summary>
    private bool _clean;
    private string _scriptLog = "";
    private IReadOnlyList<string> _slowMoves = [];

    public async Task DisposeAsync()
    {
        if (!_clean)
        {
            await KeepLogsAsync();
        }

        await _topology.DisposeAsync();
        File.Delete(_nginxErrors);
    }

    /// <summary>
    /// Keeps what a failing or slow run leaves (every server's output with its times, nginx's logs, the script's log,
    /// the load tool's slow moves) in <c>logs/rolling-restart-*</c> beside the test assembly, and says where.
    /// </summary>
    private async Task KeepLogsAsync()
    {
        var directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "logs", $"rolling-restart-{DateTime.UtcNow:yyyyMMdd-HHmmss}")).FullName;
        foreach (var server in _topology.Silos.Concat(_topology.Edges))
        {
            await File.WriteAllTextAsync(Path.Combine(directory, server.Name + ".log"), server.Output);
        }

        foreach (var (name, text) in await _topology.NginxLogsAsync())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name.Replace(' ', '-')), text);
        }

        if (File.Exists(_nginxErrors))
        {
            File.Copy(_nginxErrors, Path.Combine(directory, "nginx-server-errors.log"));
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "rolling-restart.log"), _scriptLog);
        await File.WriteAllLinesAsync(Path.Combine(directory, "slow-moves.log"), _slowMoves);
        output.WriteLine($"logs of this run kept in {directory}");
    }

    [Fact]
    public async Task A_rolling_restart_of_every_silo_and_edge_under_100_players_loses_nothing_and_unseats_nobody()
    {
        var servers = _topology.EnableRollingRestart();
        var options = new LoadTestOptions
        {
            Edges = [new Uri(_topology.NginxUrl + "/")],
            Players = Players,
            Seats = 4,
            Think = TimeSpan.FromMilliseconds(300),
            Warmup = TimeSpan.FromSeconds(3),
            Duration = TimeSpan.FromMinutes(4),
            Seed = 13,
            FinalCheck = true,
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        using var stop = new CancellationTokenSource();
        var running = new LoadRunner(options, console).RunAsync(stop.Token);

        // Every player connected, on both edges, and the measurement under way before the first server goes.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var perEdge = await WaitForConnectionsAsync(http, Players);
        output.WriteLine($"connections per edge before the restart: {string.Join(", ", perEdge)}");
        Assert.All(perEdge, n => Assert.True(n > 0, "a player on each edge"));
        await Task.Delay(options.Warmup + TimeSpan.FromSeconds(3));

        var load = await File.ReadAllTextAsync("/proc/loadavg");
        var timer = Stopwatch.StartNew();
        var (exitCode, log) = await RunScriptAsync(servers);
        _scriptLog = log;
        output.WriteLine(log);
        output.WriteLine($"rolling restart took {timer.Elapsed.TotalSeconds:F1} s; load average before {load.Trim()}, after {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
        Assert.True(exitCode == 0, $"rolling-restart.sh exited with {exitCode}:\n{log}\n{string.Join("\n", _topology.Silos.Concat(_topology.Edges).Select(s => $"--- {s.Name}\n{s.Tail(30)}"))}");
        Assert.Equal(4, ReadyAgain().Matches(log).Count);

        // Play on for a while on the restarted servers, then stop and check every player.
        try
        {
            await WaitForConnectionsAsync(http, Players);
        }
        catch (Exception)
        {
            await stop.CancelAsync();
            var partial = await running;
            output.WriteLine($"errors {string.Join(", ", partial.Errors.Select(e => $"{e.Key} {e.Value}"))}; lost {partial.ConnectionsLost}; reconnects {partial.Reconnects}");
            output.WriteLine(string.Join("\n", _topology.Edges.Select(s => $"--- {s.Name}\n{s.Tail(60)}")));
            foreach (var (name, text) in await _topology.NginxLogsAsync())
            {
                output.WriteLine($"--- {name}: " + string.Join(", ", text.Split('\n').Select(l => Regex.Match(l, "\" (\\d+) .*upstream: (.*)$")).Where(m => m.Success)
                    .GroupBy(m => m.Groups[1].Value + " " + m.Groups[2].Value).Select(g => $"{g.Key} x{g.Count()}")));
            }

            output.WriteLine("--- nginx server errors\n" + string.Join("\n", File.Exists(_nginxErrors) ? File.ReadLines(_nginxErrors).Where(l => !l.Contains("[info]")).TakeLast(40) : []));
            throw;
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        var report = await running;
        output.WriteLine($"actions {report.Actions}, games finished {report.GamesFinished}, reconnects {report.Reconnects}, moves resent {report.MovesResent}, "
            + $"connections lost {report.ConnectionsLost}, ack misses {report.AckMisses}, errors {string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))}, "
            + $"checks {string.Join(", ", report.Checks.Select(c => $"{c.Key} {c.Value}"))}");
        output.WriteLine($"longest stall any player saw (move due to acknowledged): {report.AckMs.Max / 1000:F2} s; acknowledgment {report.AckMs}");
        // What each silo's stop moved and how long it took (ShutdownMigration's line in its log), and any stall a silo
        // saw in itself (StallWatch: GC, no CPU, or the thread pool behind).
        output.WriteLine(string.Join("\n", _topology.Silos.SelectMany(s => s.Output.Split('\n')
            .Where(l => l.Contains("Silo stopping: ", StringComparison.Ordinal) || l.Contains("Stall of ", StringComparison.Ordinal))
            .Select(l => $"{s.Name}: {l.Trim()}"))));
        _slowMoves = report.SlowMoves;
        output.WriteLine($"moves slower than 1 s or failed: {report.SlowMoveCount}\n{string.Join("\n", report.SlowMoves.Take(40))}");
        Assert.True(report.ViolationCount == 0, string.Join(Environment.NewLine, report.ViolationSamples));
        Assert.Equal(Players, report.Seated);
        Assert.Equal(Players, report.Checks.GetValueOrDefault(CheckNames.SeatedAtEnd));
        Assert.Equal(0, report.ConnectionsLost);
        // Every move was acknowledged in the end: one cut off by an edge's drain is sent again after the reconnect
        // (connection_closed), none fails with an error the client cannot place (unexpected).
        Assert.False(report.Errors.ContainsKey("unexpected"), $"moves failed with unexpected: {report.Errors.GetValueOrDefault("unexpected")}");
        Assert.Equal(0, report.AckMisses);
        Assert.True(report.Reconnects >= Players, $"{report.Reconnects} reconnects: every player's edge restarted");
        Assert.True(report.GamesFinished > 0, "games were played to the end");
        _clean = report.SlowMoveCount == 0;
    }

    private static string Replace(string text, string old, string replacement)
    {
        Assert.Contains(old, text);
        return text.Replace(old, replacement, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Log)> RunScriptAsync(string servers)
    {
        var script = Path.Combine(ProcessTopology.RepositoryRoot(), "scripts", "rolling-restart.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(servers);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private async Task<List<int>> WaitForConnectionsAsync(HttpClient http, int connections)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var counts = new List<int>();
            foreach (var edge in _topology.Edges)
            {
                try
                {
                    var match = ConnectionsGauge().Match(await http.GetStringAsync(edge.Url + "/metrics"));
                    counts.Add(match.Success ? (int)double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    counts.Add(0);
                }
            }

            if (counts.Sum() >= connections)
            {
                return counts;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{counts.Sum()} of {connections} connections within 120 s");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"^cardgame_edge_connections(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex ConnectionsGauge();

    [GeneratedRegex(@": ready again as \d+")]
    private static partial Regex ReadyAgain();
}
