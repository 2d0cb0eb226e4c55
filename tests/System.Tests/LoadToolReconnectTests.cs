extern alias loadtest;

using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.AspNetCore.SignalR.Client;
using loadtest::CardGame.LoadTest.Running;
using Spectre.Console;
using Xunit.Abstractions;

namespace CardGame.SystemTests;

/// <summary>
/// The load generator's players (real .NET SignalR clients) through an edge that stops and starts again mid-run: they
/// reconnect, catch up with <c>Resume</c> through their correctness checks, and play on.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LoadToolReconnectTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Load_players_whose_edge_restarts_resume_without_a_violation_and_play_on()
    {
        var port = FreePorts.Next();
        await using var edge = await fixture.StartEdgeAsync(port); // disposed twice: WebApplicationFactory allows it
        var options = new LoadTestOptions
        {
            // Player k uses edge k mod 2: every table has two seats on the edge that restarts (not seat 0, which deals).
            Edges = [fixture.Edge1.BaseAddress, edge.BaseAddress],
            Players = 8,
            Seats = 4,
            Think = TimeSpan.FromMilliseconds(100),
            Warmup = TimeSpan.FromSeconds(12), // the edge restarts early in the warm-up: what is measured is the play after it
            Duration = MeasuredPlay.Longest, // ended once the play after the restart holds what is asserted below
            Seed = 7,
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        var runner = new LoadRunner(options, console);
        using var enough = new CancellationTokenSource();
        var running = runner.RunAsync(enough.Token);

        // Stop the edge once both tables are playing (ramp-up takes longer on a busy machine).
        await using var watcher = await GameBot.ConnectAsync(fixture.Edge1.BaseAddress.ToString().TrimEnd('/'), "watcher");
        await WaitUntilPlayingAsync(watcher, tables: 2);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await edge.DisposeAsync();
        output.WriteLine("edge stopped");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var restarted = await fixture.StartEdgeAsync(port);
        output.WriteLine("edge started again");
        await MeasuredPlay.EndOnceMeasuredAsync(runner, running, enough, actions: 20, games: 1, since: runner.Measured);
        var report = await running;

        output.WriteLine($"actions {report.Actions}, games finished {report.GamesFinished}, reconnects {report.Reconnects}, "
            + $"moves resent {report.MovesResent}, lost {report.ConnectionsLost}, errors {string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))}");
        Assert.True(report.ViolationCount == 0, string.Join(Environment.NewLine, report.ViolationSamples));
        Assert.Equal(8, report.Seated);
        Assert.Equal(0, report.ConnectionsLost);
        Assert.True(report.Reconnects >= 4, $"{report.Reconnects} reconnects");
        Assert.True(report.Actions >= 20 && report.GamesFinished >= 1, $"after the restart: {report.Actions} moves, {report.GamesFinished} games finished");
        Assert.True(report.Checks.GetValueOrDefault("shuffle_verified") >= 1, $"no finished game's shuffle was verified: {string.Join(", ", report.Checks)}");
    }

    private static async Task WaitUntilPlayingAsync(GameBot watcher, int tables)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rooms = await watcher.Connection.InvokeAsync<RoomInfo[]>("ListRooms");
            if (rooms.Count(r => r.Name.StartsWith("load ", StringComparison.Ordinal) && r.Phase == Phases.Playing) >= tables)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the load players did not start playing within 60 s");
            await Task.Delay(200);
        }
    }
}
