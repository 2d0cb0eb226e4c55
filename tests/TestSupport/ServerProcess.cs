using System.Diagnostics;
using System.Text;

namespace CardGame.TestSupport;

/// <summary>A server of ours (silo or edge) running as a real process, its output kept for failure messages.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly ProcessStartInfo _info;
    private Process _process;
    private bool _disposed;

    private ServerProcess(string name, ProcessStartInfo info, int httpPort, int? siloPort, int? gatewayPort)
    {
        Name = name;
        _info = info;
        _process = Launch();
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public string Name { get; }

    public int HttpPort { get; }

    public int? SiloPort { get; }

    public int? GatewayPort { get; }

    public string Url => $"http://127.0.0.1:{HttpPort}";

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/></c> with the given configuration as environment variables.</summary>
    public static ServerProcess Start(string name, string dll, IReadOnlyDictionary<string, string?> configuration, int httpPort, int? siloPort = null, int? gatewayPort = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; build the solution first", dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.Environment["Urls"] = $"http://127.0.0.1:{httpPort}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in configuration)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new ServerProcess(name, info, httpPort, siloPort, gatewayPort);
    }

    /// <summary>
    /// Acts as the supervisor <c>scripts/rolling-restart.sh</c> expects: keeps the process id in
    /// <paramref name="pidFile"/>, and starts the server again (same configuration and ports) when it exits while
    /// <paramref name="restartFile"/> exists, deleting that file.
    /// </summary>
    public void RestartWhenAsked(string pidFile, string restartFile)
    {
        File.WriteAllText(pidFile, _process.Id.ToString());
        Watch(_process);

        void Watch(Process process)
        {
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) =>
            {
                lock (_output)
                {
                    if (_disposed || !File.Exists(restartFile))
                    {
                        return;
                    }

                    File.Delete(restartFile);
                    _output.AppendLine($"--- {DateTime.UtcNow:HH:mm:ss.fff} exited with {process.ExitCode}; starting again ---");
                    _process = Launch();
                    File.WriteAllText(pidFile, _process.Id.ToString());
                    Watch(_process);
                }
            };
        }
    }

    private Process Launch()
    {
        var process = Process.Start(_info) ?? throw new InvalidOperationException($"{Name} did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>How long a server may take to report ready before a test fails with its output. A failure detector, not a
    /// bound of the product: a silo's start (joining, warm-up) takes 2-4 s on a quiet 2-core machine and took over 60 s
    /// while the machine ran at load average 50 (a fresh-clone test run beside 10,000-player benchmarks).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);

    /// <summary>
    /// Waits until <paramref name="path"/> answers 200 (by default <c>/health/ready</c>: the server reaches the
    /// cluster), or fails with the process's output.
    /// </summary>
    public async Task WaitHealthyAsync(string path = "/health/ready", TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? ReadyTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{Tail()}");
            }

            try
            {
                if ((await http.GetAsync(Url + path)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} was not healthy at {Url}{path} in time:\n{Tail()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM, as an operator or orchestrator stops a server, then waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not stop after SIGTERM:\n{Tail()}");
        }
    }

    public string Tail(int lines = 40) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    public ValueTask DisposeAsync()
    {
        lock (_output)
        {
            _disposed = true;
        }

        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        // Each line with the time it came (UTC), so logs of several processes can be read side by side.
        lock (_output)
        {
            _output.Append(DateTime.UtcNow.ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture)).AppendLine(line);
        }
    }
}
