using System.Diagnostics;
using System.Text.RegularExpressions;
using CardGame.TestSupport;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>The Python example client (examples/python) as a real process against a real edge, over <c>/ws</c>.</summary>
[Collection(EdgesCollection.Name)]
public sealed class PythonClientTests(EdgesFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_python_example_signs_in_plays_a_game_to_the_end_and_verifies_its_shuffle()
    {
        var script = Path.Combine(ProcessTopology.RepositoryRoot(), "examples", "python", "cardgame_bot.py");
        // Debian's interpreter, which has python3-websockets (./test.sh installs it), before any other on the PATH.
        var start = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3")
        {
            ArgumentList = { script, "--url", fixture.Edge2.Address.GetLeftPart(UriPartial.Authority), "--players", "2", "--timeout", "240" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var printed = await stdout;
        output.WriteLine(printed);

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{printed}\n{await stderr}");
        var finished = Regex.Matches(printed, @"game finished in room (\S+) after \d+ events; winner (\S+).*; fair shuffle verified");
        Assert.Equal(2, finished.Count);
        Assert.Equal(finished[0].Groups[1].Value, finished[1].Groups[1].Value);
        Assert.Equal(finished[0].Groups[2].Value, finished[1].Groups[2].Value);
    }
}
