using System.Collections.Concurrent;
using System.Diagnostics;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CardGame.LoadTest.Lobby;

/// <summary>
/// The live lobby's latency (issue 15): <see cref="LoadTestOptions.LobbyRooms"/> rooms in the room directory,
/// <see cref="LoadTestOptions.Players"/> SignalR connections watching the lobby over the edges (round-robin), then rounds
/// of <see cref="LoadTestOptions.LobbyChanges"/> room changes at once, each timed from the moment it is sent to the
/// directory to its receipt by each watcher, on this process's one clock. The changes go to the directory shards as a
/// table sends them (<c>IRoomDirectoryGrain.Announce</c>, through an Orleans client of the cluster at
/// <see cref="LoadTestOptions.OrleansGateway"/>), and every room is re-announced every 30 s as its table would, spread
/// over the period, so the directory keeps them and does the steady work of that many tables. A change a watcher has
/// not had <see cref="RoundDeadline"/> after it was sent is a miss.
/// </summary>
public sealed class LobbyRunner(LoadTestOptions options, IAnsiConsole progress)
{
    private static readonly TimeSpan RoundDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AnnouncePeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, long> _errors = new();

    public async Task<LobbyReport> RunAsync(CancellationToken cancellationToken)
    {
        var changes = options.LobbyChanges;
        var stride = options.LobbyRooms / changes;
        if (stride < options.LobbyRounds + options.LobbyWarmupRounds)
        {
            throw new InvalidOperationException("--lobby-rooms must be at least --lobby-changes × the rounds (each round changes rooms of its own)");
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseLocalhostClustering(options.OrleansGateway, options.OrleansServiceId, options.OrleansClusterId));
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var tag = Guid.NewGuid().ToString("N")[..6];
        var rooms = Enumerable.Range(0, options.LobbyRooms)
            .Select(i => new RoomInfo($"lobby{tag}{i}", "lobby", 6, 1, Phases.Waiting)).ToArray();
        // Versioned as a table does; one rising stamp serves every room (each one's newest announcement has the highest).
        var stamp = 0L;
        void Announce(RoomInfo room) => grains.GetGrain<IRoomDirectoryGrain>(RoomDirectory.ShardOf(room.RoomId))
            .Announce(room, new RoomEntryVersion(0, Interlocked.Increment(ref stamp))).Ignore();
        foreach (var room in rooms)
        {
            Announce(room);
        }

        // Each room's "table" repeats its entry every period, spread evenly (the shards drop entries silent for three).
        using var stopAnnouncing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var announcing = AnnounceForeverAsync(rooms, Announce, stopAnnouncing.Token);

        progress.MarkupLine($"[grey]{rooms.Length:N0} rooms announced; connecting {options.Players:N0} lobby watchers[/]");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
        var connectWatch = Stopwatch.StartNew();
        var watchers = new ConcurrentBag<LobbyWatcher>();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Players),
            new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                if (await LobbyWatcher.ConnectAsync(http, options.Edges[i % options.Edges.Count], $"lw{i}", Error, ct) is { } watcher)
                {
                    watchers.Add(watcher);
                }
            });
        var connectSeconds = connectWatch.Elapsed.TotalSeconds;
        var watching = watchers.ToList();
        progress.MarkupLine($"[grey]{watching.Count:N0} watching after {connectSeconds:F1} s[/]");

        var results = new List<LobbyRoundResult>();
        var delivered = new List<double>();
        long misses = 0;
        MachineSample? machineStart = null;
        var cpuStart = (Server: 0.0, Tool: TimeSpan.Zero);
        for (var round = 0; round < options.LobbyWarmupRounds + options.LobbyRounds; round++)
        {
            var measured = round >= options.LobbyWarmupRounds;
            if (measured && machineStart is null)
            {
                machineStart = MachineSample.Read();
                cpuStart = (ServerCpu(), Process.GetCurrentProcess().TotalProcessorTime);
            }

            // Rooms of this round only (spread over every shard), each to a state it has not been in.
            var indices = Enumerable.Range(0, changes).Select(c => c * stride + round).ToList();
            var next = indices.Select(i => rooms[i] with { Players = 2 }).ToList();
            var lobbyRound = new LobbyRound(next, watching.Count);
            foreach (var watcher in watching)
            {
                watcher.Expect(lobbyRound);
            }

            var serverBefore = ServerCpu();
            var toolBefore = Process.GetCurrentProcess().TotalProcessorTime;
            // Sent from now (the re-announcing loop sees the new states only after this too).
            lobbyRound.SentAt = Clock.Now;
            for (var c = 0; c < indices.Count; c++)
            {
                rooms[indices[c]] = next[c];
                Announce(next[c]);
            }

            await Task.WhenAny(lobbyRound.Complete, Task.Delay(RoundDeadline, cancellationToken));
            var seconds = Clock.Microseconds(lobbyRound.SentAt, Clock.Now) / 1e6;
            var roundDelivered = new List<double>();
            long roundMisses = 0;
            foreach (var watcher in watching)
            {
                foreach (var at in watcher.ReceivedAt())
                {
                    if (at == 0)
                    {
                        roundMisses++;
                    }
                    else
                    {
                        roundDelivered.Add(Clock.Microseconds(lobbyRound.SentAt, at) / 1000.0);
                    }
                }
            }

            var deliveries = Math.Max(roundDelivered.Count, 1);
            var result = new LobbyRoundResult(round + 1, (long)changes * watching.Count, roundMisses, LobbyLatency.Of(roundDelivered, roundMisses),
                Math.Round(seconds, 2),
                Math.Round((ServerCpu() - serverBefore) * 1e6 / deliveries, 2),
                Math.Round((Process.GetCurrentProcess().TotalProcessorTime - toolBefore).TotalMicroseconds / deliveries, 2),
                LoadAverage());
            progress.MarkupLine($"[grey]round {result.Round}{(measured ? "" : " (warm-up)")}: median {result.LatencyMs.P50?.ToString("F0") ?? "miss"} ms, " +
                $"p99 {result.LatencyMs.P99?.ToString("F0") ?? "miss"} ms, misses {roundMisses}, server {result.ServerCpuMicrosecondsPerDelivery} µs/delivery, " +
                $"this tool {result.ToolCpuMicrosecondsPerDelivery} µs/delivery, load {result.LoadAverage}[/]");
            if (measured)
            {
                results.Add(result);
                delivered.AddRange(roundDelivered);
                misses += roundMisses;
            }

            // The next round starts on a quiet lobby: a round's stragglers do not share its CPU.
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var serverCpu = ServerCpu() - cpuStart.Server;
        var toolCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart.Tool).TotalSeconds;
        var noise = MachineNoise.Between(machineStart ?? MachineSample.Read(), MachineSample.Read(), serverCpu + toolCpu,
            new HashSet<int>(options.ServerPids) { Environment.ProcessId });
        await stopAnnouncing.CancelAsync();
        await announcing;
        await Task.WhenAll(watching.Select(w => w.DisposeAsync().AsTask()));
        await host.StopAsync(CancellationToken.None);

        var latency = LobbyLatency.Of(delivered, misses);
        var count = Math.Max(delivered.Count, 1);
        return new LobbyReport
        {
            Edges = [.. options.Edges.Select(e => e.ToString())],
            Rooms = options.LobbyRooms,
            Watchers = options.Players,
            Watching = watching.Count,
            ConnectSeconds = Math.Round(connectSeconds, 1),
            ChangesPerRound = changes,
            WarmupRounds = options.LobbyWarmupRounds,
            Rounds = results,
            Expected = results.Sum(r => r.Expected),
            Delivered = delivered.Count,
            Misses = misses,
            LatencyMs = latency,
            ServerCpuMicrosecondsPerDelivery = Math.Round(serverCpu * 1e6 / count, 2),
            ToolCpuMicrosecondsPerDelivery = Math.Round(toolCpu * 1e6 / count, 2),
            Noise = noise,
            TargetMet = watching.Count == options.Players && misses == 0 && latency.Max is { } max && max <= Target.TotalMilliseconds,
            Errors = _errors.ToDictionary(),
        };
    }

    private void Error(string kind) => _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private double ServerCpu() => ProcessSample.ReadAll(options.ServerPids).Sum(s => s.CpuSeconds);

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : 0;

    private static async Task AnnounceForeverAsync(RoomInfo[] rooms, Action<RoomInfo> announce, CancellationToken cancellationToken)
    {
        const int Slices = 300;
        using var timer = new PeriodicTimer(AnnouncePeriod / Slices);
        var slice = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                for (var i = slice; i < rooms.Length; i += Slices)
                {
                    announce(rooms[i]);
                }

                slice = (slice + 1) % Slices;
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
