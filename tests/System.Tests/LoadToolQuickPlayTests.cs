extern alias loadtest;

using loadtest::CardGame.LoadTest.Running;
using Spectre.Console;
using Xunit.Abstractions;

namespace CardGame.SystemTests;

/// <summary>
/// The load generator's <c>--quick-play</c> mode against two real edges: its players find their tables through
/// <c>QuickPlay</c> (on both edges at once), the rooms deal by themselves when full, and every event every player gets is
/// checked as in the create-and-join mode.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LoadToolQuickPlayTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Quick_play_load_players_fill_whole_rooms_and_play_without_a_violation()
    {
        var options = new LoadTestOptions
        {
            Edges = [fixture.Edge1.BaseAddress, fixture.Edge2.BaseAddress],
            Players = 10,
            // 5 seats: the browser tests' quick play opens 4-seat rooms; rooms they leave waiting are not this run's.
            Seats = 5,
            QuickPlay = true,
            Think = TimeSpan.FromMilliseconds(100),
            Warmup = TimeSpan.FromSeconds(3),
            Duration = MeasuredPlay.Longest, // ended once the window holds what is asserted below
            Seed = 11,
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        var runner = new LoadRunner(options, console);
        using var enough = new CancellationTokenSource();
        var running = runner.RunAsync(enough.Token);
        await MeasuredPlay.EndOnceMeasuredAsync(runner, running, enough, actions: 20, games: 1);
        var report = await running;

        output.WriteLine($"rooms {report.QuickPlayRooms}, seated {report.Seated}, actions {report.Actions}, games started {report.GamesStarted}, "
            + $"finished {report.GamesFinished}, events {report.EventsReceived}, errors {string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))}");
        Assert.True(report.ViolationCount == 0, string.Join(Environment.NewLine, report.ViolationSamples));
        Assert.True(report.QuickPlay);
        Assert.Equal(10, report.Seated);
        Assert.Equal(2, report.QuickPlayRooms);
        // The tool calls StartGame only after a game has finished: moves show that the full rooms dealt by themselves.
        Assert.True(report.Actions >= 20 && report.GamesFinished >= 1, $"{report.Actions} moves, {report.GamesFinished} games finished");
        Assert.True(report.Checks.GetValueOrDefault("shuffle_verified") >= 1, $"no finished game's shuffle was verified: {string.Join(", ", report.Checks)}");
    }
}
