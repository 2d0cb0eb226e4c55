using System.Diagnostics;
using CardGame.TestSupport;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// There is no Docker engine here: <c>docker-compose config</c> (Debian's docker-compose package) checks the compose
/// file offline, and the test checks it describes the topology the process test runs.
/// </summary>
public sealed class ComposeFileTests
{
    [Fact]
    public async Task Docker_compose_accepts_the_compose_file_with_redis_two_silos_two_edges_and_nginx()
    {
        var (exitCode, output) = await DockerComposeAsync("config");

        Assert.True(exitCode == 0, output);
        foreach (var service in new[] { "redis:", "silo1:", "silo2:", "edge1:", "edge2:", "nginx:" })
        {
            Assert.Contains($"\n  {service}", output);
        }

        Assert.Contains("--appendfsync", output);
        Assert.Contains("ConnectionStrings__Redis: redis:6379", output);
        Assert.Contains("Silo__AdvertisedIP: silo2", output);
        Assert.Contains("dockerfile: src/Edge/Dockerfile", output);
    }

    [Fact]
    public async Task Docker_compose_refuses_to_start_edges_without_a_signing_key()
    {
        var (exitCode, output) = await DockerComposeAsync("config", signingKey: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("CARDGAME_SIGNING_KEY", output);
    }

    private static async Task<(int ExitCode, string Output)> DockerComposeAsync(string command, string? signingKey = "a-test-signing-key-of-at-least-32-chars")
    {
        var executable = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("docker-compose is not installed: install the Debian package 'docker-compose' (the README's test command does).");
        var root = ProcessTopology.RepositoryRoot();
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(Path.Combine(root, "docker-compose.yml"));
        info.ArgumentList.Add(command);
        info.Environment.Remove("CARDGAME_SIGNING_KEY");
        if (signingKey is not null)
        {
            info.Environment["CARDGAME_SIGNING_KEY"] = signingKey;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
