using System.Diagnostics;
using System.Net;

namespace CardGame.TestSupport;

/// <summary>
/// The production topology as real processes on loopback: redis-server (or a Redis Cluster), silos clustering and
/// storing through it, edges, and optionally nginx in front of the edges. Runs the built Silo and Edge assemblies of
/// this checkout.
/// </summary>
public sealed class ProcessTopology : IAsyncDisposable
{
    public const string SigningKey = "process-topology-test-signing-key-0123456789abcdef";

    private readonly IReadOnlyDictionary<string, string?> _gameSettings;
    private readonly IReadOnlyDictionary<string, string?> _edgeSettings;
    private readonly RedisServer? _redis;
    private readonly RedisCluster? _redisCluster;
    private NginxProcess? _nginx;
    private string? _restartDirectory;

    private ProcessTopology(RedisServer? redis, RedisCluster? redisCluster, IReadOnlyDictionary<string, string?> gameSettings,
        IReadOnlyDictionary<string, string?>? edgeSettings = null)
    {
        _redis = redis;
        _redisCluster = redisCluster;
        _gameSettings = gameSettings;
        _edgeSettings = edgeSettings ?? new Dictionary<string, string?>();
    }

    /// <summary>The one redis-server (not set when the topology runs on a Redis Cluster).</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("this topology runs on a Redis Cluster");

    /// <summary>The Redis Cluster, when the topology was started with <see cref="StartOnRedisClusterAsync"/>.</summary>
    public RedisCluster RedisCluster => _redisCluster ?? throw new InvalidOperationException("this topology runs on one redis-server");

    public string RedisConnectionString => _redis?.ConnectionString ?? RedisCluster.ConnectionString;

    public string ClusterId { get; } = "proc-" + Guid.NewGuid().ToString("N")[..8];

    public List<ServerProcess> Silos { get; } = [];

    public List<ServerProcess> Edges { get; } = [];

    public int? NginxPort { get; private set; }

    public string NginxUrl => $"http://127.0.0.1:{NginxPort}";

    /// <summary>The configuration shared by every silo and edge of this topology.</summary>
    public IReadOnlyDictionary<string, string?> ClusterConfiguration => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Redis"] = RedisConnectionString,
        ["Orleans:ClusterId"] = ClusterId,
        ["Orleans:ServiceId"] = ClusterId,
    };

    /// <summary>
    /// Starts the topology. <paramref name="gameSettings"/> go to the silos, <paramref name="edgeSettings"/> (e.g.
    /// <c>Edge:DrainSeconds</c>) to the edges.
    /// </summary>
    public static async Task<ProcessTopology> StartAsync(int silos, int edges, bool nginx, IReadOnlyDictionary<string, string?>? gameSettings = null,
        IReadOnlyDictionary<string, string?>? edgeSettings = null)
    {
        var redis = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        return await StartServersAsync(new ProcessTopology(redis, null, gameSettings ?? new Dictionary<string, string?>(), edgeSettings), silos, edges, nginx);
    }

    /// <summary>The same topology on a Redis Cluster of three masters (storage and clustering both on it).</summary>
    public static async Task<ProcessTopology> StartOnRedisClusterAsync(int silos, int edges, IReadOnlyDictionary<string, string?>? gameSettings = null)
    {
        var cluster = await RedisCluster.StartAsync();
        return await StartServersAsync(new ProcessTopology(null, cluster, gameSettings ?? new Dictionary<string, string?>()), silos, edges, nginx: false);
    }

    private static async Task<ProcessTopology> StartServersAsync(ProcessTopology topology, int silos, int edges, bool nginx)
    {
        try
        {
            for (var i = 0; i < silos; i++)
            {
                await topology.AddSiloAsync();
            }

            await Task.WhenAll(Enumerable.Range(0, edges).Select(_ => topology.AddEdgeAsync()));
            if (nginx)
            {
                await topology.StartNginxAsync();
            }

            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more silo against the same Redis (what an operator does to add capacity).</summary>
    public async Task<ServerProcess> AddSiloAsync()
    {
        var (siloPort, gatewayPort, httpPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var config = new Dictionary<string, string?>(ClusterConfiguration)
        {
            ["Silo:Port"] = siloPort.ToString(),
            ["Silo:GatewayPort"] = gatewayPort.ToString(),
        };
        foreach (var (key, value) in _gameSettings)
        {
            config[key] = value;
        }

        var silo = ServerProcess.Start($"silo{Silos.Count + 1}", Artifact("Silo", "CardGame.Silo.dll"), config, httpPort, siloPort, gatewayPort);
        Silos.Add(silo);
        await silo.WaitHealthyAsync("/health/ready");
        return silo;
    }

    public async Task<ServerProcess> AddEdgeAsync()
    {
        var config = new Dictionary<string, string?>(ClusterConfiguration)
        {
            ["Auth:SigningKey"] = SigningKey,
        };
        foreach (var (key, value) in _edgeSettings)
        {
            config[key] = value;
        }

        var edge = ServerProcess.Start($"edge{Edges.Count + 1}", Artifact("Edge", "CardGame.Edge.dll"), config, FreePorts.Next());
        lock (Edges)
        {
            Edges.Add(edge);
        }

        // Ready, not just alive: an edge answers /health/live before its Orleans client reaches the cluster, and a
        // client sent to it then would get "unavailable".
        await edge.WaitHealthyAsync("/health/ready");
        return edge;
    }

    /// <summary>The directory nginx writes its logs (<c>access.log</c>, <c>error.log</c>) to, once started.</summary>
    public string? NginxDirectory => _nginx?.Directory;

    /// <summary>
    /// nginx (Debian package) on a free loopback port in front of every edge, running the shipped
    /// <c>deploy/nginx.conf</c> with this topology's edges, address and log directory substituted.
    /// </summary>
    public async Task StartNginxAsync(Func<string, string>? adjust = null)
    {
        // nginx serves no /health to the public (deploy/nginx.conf): any answer from an edge through it will do (the
        // edges run from their build output, without the web client: "/" is 404 there).
        _nginx = await NginxProcess.StartAsync(Edges.Select(e => e.HttpPort),
            status => status is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout), adjust);
        NginxPort = _nginx.Port;
    }

    /// <summary>nginx's log files, once started.</summary>
    public async Task<List<(string Name, string Text)>> NginxLogsAsync() => _nginx is null ? [] : await _nginx.LogsAsync();

    /// <summary>
    /// Makes every silo and edge restartable by <c>scripts/rolling-restart.sh</c>, as <c>scripts/topology.sh</c> does:
    /// writes the servers file (silos first, then edges) and each server's pid file, and starts a server again, on the
    /// same ports, when it exits after the script asked. Returns the servers file's path.
    /// </summary>
    public string EnableRollingRestart()
    {
        _restartDirectory ??= Directory.CreateTempSubdirectory("cardgame-restart-").FullName;
        var lines = new List<string>();
        foreach (var (kind, server) in Silos.Select(s => ("silo", s)).Concat(Edges.Select(e => ("edge", e))))
        {
            var pidFile = Path.Combine(_restartDirectory, server.Name + ".pid");
            server.RestartWhenAsked(pidFile, Path.Combine(_restartDirectory, server.Name + ".restart"));
            lines.Add($"{kind} {server.Name} {pidFile} {server.Url}/health/ready");
        }

        var servers = Path.Combine(_restartDirectory, "servers");
        File.WriteAllLines(servers, lines);
        return servers;
    }

    public async ValueTask DisposeAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        foreach (var server in Edges.Concat(Silos))
        {
            await server.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_redisCluster is not null)
        {
            await _redisCluster.DisposeAsync();
        }

        if (_restartDirectory is not null)
        {
            Directory.Delete(_restartDirectory, recursive: true);
        }
    }

    /// <summary>
    /// <c>deploy/nginx.conf</c> with the lines marked <c># substituted</c> replaced: the upstream servers by
    /// <paramref name="upstreams"/>, the listen address by <paramref name="listen"/>, the access log by <paramref name="accessLog"/>.
    /// </summary>
    public static string ShippedNginxConfig(string upstreams, string listen, string accessLog)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "deploy", "nginx.conf"));
        var output = new List<string>();
        var upstreamsWritten = false;
        foreach (var line in lines)
        {
            var trimmed = line.Trim();
            if (!trimmed.EndsWith("# substituted", StringComparison.Ordinal))
            {
                output.Add(line);
            }
            else if (trimmed.StartsWith("server ", StringComparison.Ordinal))
            {
                if (!upstreamsWritten)
                {
                    output.Add(upstreams);
                    upstreamsWritten = true;
                }
            }
            else if (trimmed.StartsWith("listen ", StringComparison.Ordinal))
            {
                output.Add($"    listen {listen};");
            }
            else if (trimmed.StartsWith("access_log ", StringComparison.Ordinal))
            {
                output.Add($"    access_log {accessLog} cardgame;");
            }
            else
            {
                throw new InvalidOperationException($"deploy/nginx.conf: no substitution for the line '{trimmed}'");
            }
        }

        return string.Join('\n', output);
    }

    /// <summary>The built assembly of a project in this checkout, in the same configuration as the running tests.</summary>
    public static string Artifact(string project, string dll)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        return Path.Combine(RepositoryRoot(), "src", project, "bin", configuration, "net10.0", dll);
    }

    /// <summary>The checkout these tests were built from: the folder above them that holds CardGame.sln.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CardGame.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("CardGame.sln not found above " + AppContext.BaseDirectory);
    }
}
