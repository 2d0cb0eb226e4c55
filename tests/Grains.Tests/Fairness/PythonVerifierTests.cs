using System.Diagnostics;
using System.Text.Json;
using CardGame.Contracts.Fairness;
using CardGame.TestSupport;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Fairness;

/// <summary>
/// The Python example's verifier (examples/python/fair_shuffle.py, an independent implementation) run as a program on
/// histories of games the server's table model played: honest ones verify, tampered ones do not. Also runs its own
/// unit tests. Needs python3 (standard library only).
/// </summary>
public sealed class PythonVerifierTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(ProcessTopology.RepositoryRoot(), "examples", "python");

    [Fact]
    public async Task The_python_verifier_accepts_the_servers_games_and_rejects_tampered_ones()
    {
        var temp = Directory.CreateTempSubdirectory("fair-shuffle-");
        try
        {
            var (verified, rejected) = (0, 0);
            for (var n = 0; n < 8; n++)
            {
                var game = PlayedGame.Play(100 + n, players: 2 + n % 5);
                var viewer = game.Seats[n % game.Seats.Count];
                var mine = game.As(viewer);
                var otherSeed = FairShuffle.NewSeed();
                Assert.Equal((0, "verified"), await RunAsync(temp, game.Seats, mine, viewer));
                Assert.Equal((0, "verified"), await RunAsync(temp, game.Seats, game.As("spectator"), null));
                verified += 2;

                var (code, text) = await RunAsync(temp, game.Seats, [.. mine.SkipLast(1), mine[^1] with { DeckSeed = FairShuffle.ToHex(otherSeed) }], viewer);
                Assert.Equal(1, code);
                Assert.Contains("not the commitment", text);
                (code, text) = await RunAsync(temp, game.Seats,
                    [mine[0] with { DeckCommitment = FairShuffle.Commitment(otherSeed) }, .. mine.Skip(1).SkipLast(1), mine[^1] with { DeckSeed = FairShuffle.ToHex(otherSeed) }], viewer);
                Assert.Equal(1, code);
                Assert.Matches("the seed turns|the seed deals", text);
                rejected += 2;
            }

            output.WriteLine($"python3 verified {verified} histories of the server's games and rejected {rejected} tampered ones");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_python_examples_own_tests_pass()
    {
        var (code, text) = await PythonAsync("-m", "unittest", "-v", "test_fair_shuffle");
        output.WriteLine(text);
        Assert.True(code == 0, text);
    }

    private static async Task<(int Code, string FirstLine)> RunAsync(DirectoryInfo temp, IReadOnlyList<string> seats, List<CardGame.Contracts.Protocol.TableEvent> events, string? viewer)
    {
        var file = Path.Combine(temp.FullName, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { seats, viewer, events }, JsonSerializerOptions.Web));
        var (code, text) = await PythonAsync("fair_shuffle.py", file);
        return (code, code == 0 && text.StartsWith("verified", StringComparison.Ordinal) ? "verified" : text.Trim());
    }

    private static async Task<(int Code, string Output)> PythonAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("python3") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
