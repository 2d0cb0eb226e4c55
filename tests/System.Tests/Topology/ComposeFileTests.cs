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

        Assert.Contains("--appendfsync always", output);
        Assert.Contains("--requirepass", output);
        Assert.Contains($"ConnectionStrings__Redis: redis:6379,password={RedisPassword}", output);
        Assert.Contains("Silo__AdvertisedIP: silo2", output);
        Assert.Contains("dockerfile: src/Edge/Dockerfile", output);
    }

    [Fact]
    public async Task Only_nginx_publishes_a_port_and_redis_and_the_silos_are_on_a_backend_network_nginx_is_not_on()
    {
        var (exitCode, output) = await DockerComposeAsync("config");
        Assert.True(exitCode == 0, output);
        var services = Services(output);

        Assert.Equal(["backend"], Networks(services["redis"]));
        Assert.Equal(["backend"], Networks(services["silo1"]));
        Assert.Equal(["backend"], Networks(services["silo2"]));
        Assert.Equal(["backend", "frontend"], Networks(services["edge1"]));
        Assert.Equal(["backend", "frontend"], Networks(services["edge2"]));
        Assert.Equal(["frontend"], Networks(services["nginx"]));
        Assert.Equal(["nginx"], services.Where(s => s.Value.Contains("\n    ports:", StringComparison.Ordinal)).Select(s => s.Key));
        Assert.Contains("  backend:\n    internal: true", output);
        // The edges believe X-Forwarded-For from nginx's fixed address only.
        Assert.Contains("ipv4_address: 172.28.0.10", services["nginx"]);
        Assert.Contains("Edge__TrustedProxies__0: 172.28.0.10", services["edge1"]);
        Assert.DoesNotContain("Silo__Dashboard: 'true'", output);
    }

    [Fact]
    public async Task Every_silo_and_edge_gets_the_runtime_settings_of_build_ServerRuntime_env()
    {
        var (exitCode, output) = await DockerComposeAsync("config");
        Assert.True(exitCode == 0, output);
        var services = Services(output);
        var settings = File.ReadAllLines(Path.Combine(ProcessTopology.RepositoryRoot(), "build", "ServerRuntime.env"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToList();

        Assert.Contains(settings, s => s[0] == "DOTNET_GCgen0size");
        foreach (var service in new[] { "silo1", "silo2", "edge1", "edge2" })
        {
            foreach (var setting in settings)
            {
                Assert.Contains($"{setting[0]}: '{setting[1]}'", services[service]);
            }
        }
    }

    [Fact]
    public async Task Docker_compose_refuses_to_start_without_a_redis_password()
    {
        var (exitCode, output) = await DockerComposeAsync("config", redisPassword: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("CARDGAME_REDIS_PASSWORD", output);
    }

    [Fact]
    public async Task Docker_compose_refuses_to_start_edges_without_a_signing_key()
    {
        var (exitCode, output) = await DockerComposeAsync("config", signingKey: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("CARDGAME_SIGNING_KEY", output);
    }

    private const string RedisPassword = "a-test-redis-password";

    /// <summary>The services section of <c>docker-compose config</c>'s output, one text per service.</summary>
    private static Dictionary<string, string> Services(string config)
    {
        var services = config[(config.IndexOf("\nservices:\n", StringComparison.Ordinal) + 11)..];
        var end = System.Text.RegularExpressions.Regex.Match(services, "\n[a-z]");
        services = end.Success ? services[..end.Index] : services;
        return System.Text.RegularExpressions.Regex.Split(services, "\n(?=  [a-z0-9]+:\n)")
            .Where(s => s.Trim().Length > 0)
            .ToDictionary(s => s.Trim().Split(':')[0], s => s);
    }

    /// <summary>The networks a service (its text in <see cref="Services"/>) is on, sorted.</summary>
    private static List<string> Networks(string service)
    {
        var match = System.Text.RegularExpressions.Regex.Match(service, "\n    networks:\n((?:      .*\n?)+)");
        Assert.True(match.Success, service);
        return [.. System.Text.RegularExpressions.Regex.Matches(match.Groups[1].Value, "^      ([a-z]+):?", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order()];
    }

    private static async Task<(int ExitCode, string Output)> DockerComposeAsync(string command, string? signingKey = "a-test-signing-key-of-at-least-32-chars", string? redisPassword = RedisPassword)
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
        info.Environment.Remove("CARDGAME_REDIS_PASSWORD");
        if (redisPassword is not null)
        {
            info.Environment["CARDGAME_REDIS_PASSWORD"] = redisPassword;
        }

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
