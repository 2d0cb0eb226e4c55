using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace CardGame.TestSupport;

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port, for one test collection. Fails loudly, naming the
/// package to install, when redis-server is not on this machine: tests that need Redis never skip silently.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string[] _extraArguments;
    private Process? _process;
    private ConnectionMultiplexer? _client;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
        _directory = Directory.CreateTempSubdirectory("cardgame-redis-").FullName;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=5000";

    /// <summary>Starts redis-server. <paramref name="extraArguments"/> are appended (e.g. <c>--appendonly yes</c>).</summary>
    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(FreePorts.Next(), extraArguments);
        await server.StartProcessAsync();
        return server;
    }

    public static string Executable =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            "redis-server is not installed. These tests run a real Redis: install the Debian package 'redis-server' " +
            "(sudo apt-get install -y redis-server), or run the README's test command, which installs it.");

    public async Task<IDatabase> DatabaseAsync()
    {
        _client ??= await ConnectionMultiplexer.ConnectAsync(ConnectionString);
        return _client.GetDatabase();
    }

    /// <summary>Every key on the server now (to check that something stored nothing).</summary>
    public async Task<HashSet<string>> KeysAsync()
    {
        var multiplexer = (await DatabaseAsync()).Multiplexer;
        var keys = new HashSet<string>();
        foreach (var server in multiplexer.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: "*"))
            {
                keys.Add(key.ToString());
            }
        }

        return keys;
    }

    /// <summary>Stops the process abruptly (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>
    /// Kills and starts the server again on the same port, directory and arguments (so with its AOF, if any), after
    /// <paramref name="downtime"/>.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime = default)
    {
        Kill();
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime);
        }

        await StartProcessAsync();
    }

    /// <summary>Starts the server again after <see cref="Kill"/>, on the same port, directory and arguments.</summary>
    public Task StartAgainAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(), "--save", "", "--dir", _directory, "--daemonize", "no" }.Concat(_extraArguments))
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}");
            }

            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port);
                var stream = tcp.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                if (read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not answer on port {Port}");
            }

            await Task.Delay(50);
        }
    }

}
