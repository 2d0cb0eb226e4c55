using System.Diagnostics;
using StackExchange.Redis;

namespace CardGame.TestSupport;

/// <summary>
/// A real Redis Cluster of three masters (no replicas) on free loopback ports: three <c>redis-server
/// --cluster-enabled yes</c> processes, each append-only with an fsync on every write, joined with
/// <c>redis-cli --cluster create</c>. The way past one Redis (docs/scaling.md).
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly List<Process> _nodes = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("cardgame-redis-cluster-").FullName;
    private ConnectionMultiplexer? _client;

    private RedisCluster(IReadOnlyList<int> ports) => Ports = ports;

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Every master's address, so a client that cannot reach one still learns the cluster from another.</summary>
    public string ConnectionString =>
        string.Join(",", Ports.Select(p => $"127.0.0.1:{p}")) + ",abortConnect=false,connectTimeout=2000,syncTimeout=5000";

    public static async Task<RedisCluster> StartAsync(int masters = 3)
    {
        var cluster = new RedisCluster([.. Enumerable.Range(0, masters).Select(_ => FreePorts.Next())]);
        try
        {
            foreach (var port in cluster.Ports)
            {
                cluster.StartNode(port);
            }

            await cluster.CreateAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<IConnectionMultiplexer> ConnectAsync() => _client ??= await ConnectionMultiplexer.ConnectAsync(ConnectionString);

    /// <summary>How many keys each master holds, by port: shows that the data is spread over the cluster.</summary>
    public async Task<IReadOnlyDictionary<int, long>> KeysPerMasterAsync()
    {
        var client = await ConnectAsync();
        var counts = new Dictionary<int, long>();
        foreach (var port in Ports)
        {
            counts[port] = await client.GetServer("127.0.0.1", port).DatabaseSizeAsync();
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        foreach (var node in _nodes)
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
                await node.WaitForExitAsync();
            }

            node.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void StartNode(int port)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, port.ToString())).FullName;
        var info = new ProcessStartInfo(RedisServer.Executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--bind", "127.0.0.1", "--port", port.ToString(), "--cluster-port", FreePorts.Next().ToString(), "--dir", directory, "--daemonize", "no", "--save", "",
            "--appendonly", "yes", "--appendfsync", "always",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"redis-server did not start on port {port}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _nodes.Add(process);
    }

    /// <summary>Assigns the 16,384 slots over the masters, then waits until every node reports the cluster ok.</summary>
    private async Task CreateAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in Ports)
        {
            while ((await CliAsync("-p", port.ToString(), "ping")).Output.Trim() != "PONG")
            {
                Check(deadline, $"redis-server on port {port} does not answer");
                await Task.Delay(50);
            }
        }

        var create = await CliAsync([
            "--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed ({create.ExitCode}): {create.Output}");
        }

        foreach (var port in Ports)
        {
            while (!(await CliAsync("-p", port.ToString(), "cluster", "info")).Output.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                Check(deadline, $"the Redis Cluster node on port {port} did not report cluster_state:ok");
                await Task.Delay(100);
            }
        }
    }

    private static void Check(DateTime deadline, string message)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException(message);
        }
    }

    private static async Task<(int ExitCode, string Output)> CliAsync(params string[] args)
    {
        var executable = new[] { "/usr/bin/redis-cli", "/usr/local/bin/redis-cli" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-cli is not installed: install the Debian package 'redis-tools' (redis-server brings it).");
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
