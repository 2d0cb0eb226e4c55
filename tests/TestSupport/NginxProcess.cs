using System.Diagnostics;
using System.Net;

namespace CardGame.TestSupport;

/// <summary>
/// nginx (Debian package) on a free loopback port running the shipped <c>deploy/nginx.conf</c>, with the given upstream
/// ports, its address and a log directory of its own substituted (<see cref="ProcessTopology.ShippedNginxConfig"/>).
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NginxProcess(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    /// <summary>Where nginx writes <c>access.log</c> and <c>error.log</c>.</summary>
    public string Directory { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>
    /// Starts nginx in front of <paramref name="upstreamPorts"/> and returns once <c>GET /</c> through it answers with a
    /// status <paramref name="isReady"/> accepts (a topology waits for an edge's answer; nginx in front of nothing
    /// alive accepts its own 502). <paramref name="adjust"/>, when given, changes the shipped server block first (a test
    /// of many players from one address raises the per-address limits).
    /// </summary>
    public static async Task<NginxProcess> StartAsync(IEnumerable<int> upstreamPorts, Func<HttpStatusCode, bool> isReady, Func<string, string>? adjust = null)
    {
        var executable = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx is not installed: install the Debian package 'nginx' (the README's test command does).");
        var port = FreePorts.Next();
        var directory = System.IO.Directory.CreateTempSubdirectory("cardgame-nginx-").FullName;
        var upstreams = string.Join("\n", upstreamPorts.Select(p => $"    server 127.0.0.1:{p} max_fails=0;"));
        var config = $$"""
            daemon off;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{(adjust ?? (c => c))(ProcessTopology.ShippedNginxConfig(upstreams, $"127.0.0.1:{port}", Path.Combine(directory, "access.log")))}}
            }
            """;
        var path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(path);
        info.ArgumentList.Add("-e");
        info.ArgumentList.Add(Path.Combine(directory, "error.log"));
        var nginx = new NginxProcess(Process.Start(info) ?? throw new InvalidOperationException("nginx did not start"), directory, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                if (isReady((await http.GetAsync(nginx.Url + "/")).StatusCode))
                {
                    return nginx;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }

            if (nginx._process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log")) : "";
                var stderr = nginx._process.HasExited ? await nginx._process.StandardError.ReadToEndAsync() : "";
                await nginx.DisposeAsync();
                throw new InvalidOperationException($"nginx did not come up on {nginx.Url}: {log}{stderr}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Every log file nginx wrote, by name (<c>nginx access.log</c>, <c>nginx error.log</c>).</summary>
    public async Task<List<(string Name, string Text)>> LogsAsync()
    {
        var logs = new List<(string Name, string Text)>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.log"))
        {
            logs.Add(($"nginx {Path.GetFileName(file)}", await File.ReadAllTextAsync(file)));
        }

        return logs;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
