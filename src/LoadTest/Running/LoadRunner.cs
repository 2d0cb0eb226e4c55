using System.Diagnostics;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;
using CardGame.LoadTest.Reporting;
using Spectre.Console;

namespace CardGame.LoadTest.Running;

/// <summary>
/// One run: ramp up (sign in, connect, seat, table by table), warm up, measure for the duration, stop, report.
/// </summary>
public sealed class LoadRunner(LoadTestOptions options, IAnsiConsole progress)
{
    /// <summary>How long moves due in the window may still take to be answered and delivered after it ends.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _playing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _phase = "connecting";

    /// <summary>
    /// Completes when the players are seated and their games dealt (the warm-up begins); canceled if the run ends
    /// before. Lets a test act on games under way instead of guessing how long the ramp-up takes.
    /// </summary>
    public Task Playing => _playing.Task;

    private RunContext? _run;

    /// <summary>
    /// What the measured window holds so far (zeros before it begins): moves, finished games and verified shuffles. Lets a
    /// test end a run (cancelling it) once the play it asserts on was measured, instead of a window of a set length in
    /// which a busy machine may not finish a game.
    /// </summary>
    public (long Actions, long GamesFinished, long ShufflesVerified) Measured => _run is { Metrics.Measuring: true } run
        ? (run.Metrics.Actions, run.Metrics.GamesFinished, run.Violations.Checks.GetValueOrDefault(Checking.CheckNames.ShuffleVerified))
        : (0, 0, 0);

    public async Task<Report> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(cancellationToken);
        }
        finally
        {
            _playing.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task<Report> RunCoreAsync(CancellationToken cancellationToken)
    {
        var groupCount = options.Players / options.Seats;
        using var run = new RunContext(options, metrics => options.OpenLoop
            ? new OpenLoopPacer(options.Rate, groupCount, metrics)
            : new ClosedLoopPacer(options.Think, options.Seed));
        _run = run;
        var pacer = run.Pacer;
        using var stopProgress = new CancellationTokenSource();
        var progressTask = new ProgressView(progress, run.Metrics, run.Violations, () => _phase).RunAsync(stopProgress.Token);

        var before = ProcessSample.ReadAll(options.ServerPids);
        var tables = Enumerable.Range(0, groupCount).Select(g => new TableGroup(g, options.Seats, run.Metrics, run.Violations,
            options.Scenario == Scenario.Grain ? options.Seats - 1 : options.Seats + options.Spectators)).ToList();
        var quickPlay = options.QuickPlay ? new QuickPlayTables(groupCount, options.Seats, run.Metrics, run.Violations) : null;
        var players = new List<IAsyncDisposable>();
        var starters = new List<GamePlayer>();
        var bareGroups = new List<BareGroup>();
        var idleSteps = new List<IdleStep>();

        var rampStart = Clock.Now;
        var steps = options.Scenario == Scenario.Idle && options.IdleSteps.Count > 0
            ? [.. options.IdleSteps.Where(s => s <= groupCount * options.Seats).Order().Select(s => s / options.Seats), groupCount]
            : new List<int> { groupCount };
        var done = 0;
        try
        {
            foreach (var stepGroups in steps.Distinct())
            {
                var batch = tables.Skip(done).Take(stepGroups - done).ToList();
                await RampAsync(run, batch, players, starters, bareGroups, quickPlay, cancellationToken);
                done = stepGroups;
                if (options.Scenario == Scenario.Idle && options.IdleSteps.Count > 0)
                {
                    _phase = $"settling at {done * options.Seats} players";
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                    idleSteps.Add(IdleStepOf(done * options.Seats, before));
                    _phase = "connecting";
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C during ramp-up: report what there is.
        }

        var rampSeconds = Clock.Microseconds(rampStart, Clock.Now) / 1e6;
        _phase = "warm-up";
        pacer.Start();
        if (options.Scenario == Scenario.Game)
        {
            // Games start once every table is seated, so the ramp-up is not slowed down by play.
            await Parallel.ForEachAsync(starters, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (starter, _) => await starter.StartGameAsync());
        }

        foreach (var bare in bareGroups)
        {
            bare.Players[0].TakeTurn();
        }

        _playing.TrySetResult();
        await DelayAsync(options.Warmup, cancellationToken);
        var machineStart = MachineSample.Read();
        var cpuStart = ProcessSample.ReadAll(options.ServerPids);
        var selfStart = Process.GetCurrentProcess().TotalProcessorTime;
        run.Metrics.StartMeasuring();
        _phase = "measuring";
        await DelayAsync(options.Duration, cancellationToken);
        var windowEnd = Clock.Now;
        run.Metrics.EndMeasuring(windowEnd);
        var measuredSeconds = Clock.Microseconds(run.Metrics.MeasureStart, windowEnd) / 1e6;
        var cpuEnd = ProcessSample.ReadAll(options.ServerPids);
        var selfCpu = (Process.GetCurrentProcess().TotalProcessorTime - selfStart).TotalSeconds;
        var machineEnd = MachineSample.Read();
        var serverCpu = cpuEnd.Sum(s => s.CpuSeconds) - cpuStart.Sum(s => s.CpuSeconds);
        var noise = MachineNoise.Between(machineStart, machineEnd, serverCpu + selfCpu,
            new HashSet<int>(options.ServerPids) { Environment.ProcessId });

        // Moves due in the window may still be on their way: give them a moment (also when the run was stopped early:
        // a move in flight at that instant is not a miss of the server's), then every one still unanswered or
        // undelivered (or never sent) is a miss.
        _phase = "closing";
        var graceEnd = Clock.Now + Clock.FromSeconds(CloseGrace.TotalSeconds);
        while (run.Metrics.Pending > 0 && Clock.Now < graceEnd)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        var closedAt = Clock.Now;
        pacer.Close(closedAt);
        run.Metrics.Close(closedAt);
        if (options.FinalCheck)
        {
            _phase = "final check";
            run.Stop();
            pacer.Stop();
            List<GamePlayer> seated;
            lock (players)
            {
                seated = [.. players.OfType<GamePlayer>()];
            }

            await Parallel.ForEachAsync(seated, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (player, _) => await player.VerifyFinalAsync());
        }
        var report = BuildReport(run, rampSeconds, measuredSeconds, selfCpu, before, cpuStart, cpuEnd, idleSteps) with
        {
            Noise = noise,
            QuickPlay = quickPlay is not null,
            QuickPlayRooms = quickPlay?.Count ?? 0,
        };

        _phase = "stopping";
        run.Stop();
        pacer.Stop();
        await stopProgress.CancelAsync();
        await progressTask;
        await Parallel.ForEachAsync(players, new ParallelOptions { MaxDegreeOfParallelism = 64 }, (player, _) => player.DisposeAsync());
        return report;
    }

    private async Task RampAsync(RunContext run, List<TableGroup> batch, List<IAsyncDisposable> players, List<GamePlayer> starters,
        List<BareGroup> bareGroups, QuickPlayTables? quickPlay, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.ConnectConcurrency / options.Seats),
            CancellationToken = cancellationToken,
        };
        var edges = options.Edges;
        await Parallel.ForEachAsync(batch, parallel, async (table, ct) =>
        {
            // Player k of the whole run goes to edge k mod E, so the seats of a table sit on different edges.
            var first = table.Index * options.Seats;
            if (options.Scenario is Scenario.Echo or Scenario.Grain)
            {
                var bare = new BareGroup(table.Index, table);
                // The bare edge sends a group's events to its own connections only: a group's seats share one edge.
                bare.Players.AddRange(Enumerable.Range(0, options.Seats)
                    .Select(seat => new BarePlayer(first + seat, seat, edges[table.Index % edges.Count], bare, run)));
                lock (players)
                {
                    players.AddRange(bare.Players);
                    bareGroups.Add(bare);
                }

                await Task.WhenAll(bare.Players.Select(p => p.ConnectAsync(ct)));
                return;
            }

            if (quickPlay is not null)
            {
                // The server seats them (rooms deal by themselves when full); their groups come from its answers.
                var quickPlayers = Enumerable.Range(0, options.Seats)
                    .Select(seat => new GamePlayer(first + seat, seat, edges[(first + seat) % edges.Count], null, run))
                    .ToList();
                lock (players)
                {
                    players.AddRange(quickPlayers);
                }

                var ready = await Task.WhenAll(quickPlayers.Select(p => p.ConnectAsync(ct)));
                await Task.WhenAll(quickPlayers.Where((_, i) => ready[i]).Select(p => p.QuickPlayAsync(quickPlay, ct)));
                return;
            }

            var seats = Enumerable.Range(0, options.Seats)
                .Select(seat => new GamePlayer(first + seat, seat, edges[(first + seat) % edges.Count], table, run))
                .ToList();
            lock (players)
            {
                players.AddRange(seats);
            }

            // Spectators watch from the edges after the seats' (round-robin), so a table's events reach every edge.
            var spectators = options.Scenario == Scenario.Game
                ? Enumerable.Range(0, options.Spectators)
                    .Select(s => new Spectator(options.Players + (table.Index * options.Spectators) + s, edges[(first + options.Seats + s) % edges.Count], table, run))
                    .ToList()
                : [];
            lock (players)
            {
                players.AddRange(spectators);
            }

            var connected = await Task.WhenAll(seats.Select(p => p.ConnectAsync(ct)).Concat(spectators.Select(s => s.ConnectAsync(ct))));
            if (connected.All(ok => ok))
            {
                await Task.WhenAll(seats.Select(p => p.SeatAsync(ct)).Concat(spectators.Select(s => s.WatchAsync(ct))));
                if (table.IsFull)
                {
                    lock (starters)
                    {
                        starters.Add(seats[0]);
                    }
                }
            }
        });
    }

    private IdleStep IdleStepOf(int playerCount, IReadOnlyList<ProcessSample> before)
    {
        var samples = ProcessSample.ReadAll(options.ServerPids);
        var rss = samples.Sum(s => s.RssBytes);
        var empty = before.Sum(s => s.RssBytes);
        return new IdleStep(playerCount, rss, Math.Round((double)rss / playerCount), Math.Round((double)(rss - empty) / playerCount),
            [.. samples.Select(s => s.RssBytes)]);
    }

    private Report BuildReport(RunContext run, double rampSeconds, double measuredSeconds, double selfCpu,
        IReadOnlyList<ProcessSample> before, IReadOnlyList<ProcessSample> cpuStart, IReadOnlyList<ProcessSample> cpuEnd, List<IdleStep> idleSteps)
    {
        var metrics = run.Metrics;
        var actions = metrics.Actions;
        ServerUsage? server = null;
        if (options.ServerPids.Count > 0)
        {
            var cpu = cpuEnd.Sum(s => s.CpuSeconds) - cpuStart.Sum(s => s.CpuSeconds);
            server = new ServerUsage(
                options.ServerPids,
                Math.Round(cpu, 2),
                actions == 0 ? 0 : Math.Round(cpu * 1e6 / actions, 1),
                Math.Round(cpu / measuredSeconds, 3),
                before.Sum(s => s.RssBytes),
                cpuEnd.Sum(s => s.RssBytes),
                cpuEnd.ToDictionary(s => s.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.RssBytes),
                cpuEnd.ToDictionary(
                    s => s.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s => Math.Round(s.CpuSeconds - cpuStart.Where(b => b.Pid == s.Pid).Sum(b => b.CpuSeconds), 2)));
        }

        var violations = run.Violations.Total;
        var exitCode = violations > 0 ? 1 : metrics.Seated == 0 ? 2 : 0;
        return new Report
        {
            Scenario = options.Scenario.ToString().ToLowerInvariant(),
            Edges = [.. options.Edges.Select(e => e.ToString().TrimEnd('/'))],
            Players = options.Players / options.Seats * options.Seats,
            Seats = options.Seats,
            Spectators = options.Spectators,
            ThinkMs = options.OpenLoop ? 0 : options.Think.TotalMilliseconds,
            Rate = options.Rate,
            Seed = options.Seed,
            RampUpSeconds = Math.Round(rampSeconds, 1),
            MeasuredSeconds = Math.Round(measuredSeconds, 1),
            Connected = metrics.Connected,
            Seated = metrics.Seated,
            ConnectFailures = metrics.ConnectFailures,
            ConnectionsLost = metrics.ConnectionsLost,
            Reconnects = metrics.Reconnects,
            MovesResent = metrics.MovesResent,
            Actions = actions,
            ActionsPerSecond = Math.Round(actions / measuredSeconds, 1),
            MovesDue = metrics.Due,
            AckMisses = metrics.AckMisses,
            FanoutMisses = metrics.FanoutMisses,
            GamesStarted = metrics.Starts,
            GamesFinished = metrics.GamesFinished,
            EventsReceived = metrics.Events,
            AckMs = metrics.Ack.Summary(),
            FanoutAllMs = metrics.FanoutAll.Summary(),
            DeliveryMs = metrics.Delivery.Summary(),
            Errors = metrics.Errors,
            ErrorSamples = metrics.ErrorSamples,
            ViolationCount = violations,
            Violations = run.Violations.ByKind,
            ViolationSamples = run.Violations.Samples,
            Checks = run.Violations.Checks,
            OpenLoop = run.Pacer.Stats,
            Server = server,
            LoadToolCpuSeconds = Math.Round(selfCpu, 2),
            IdleSteps = idleSteps,
            SlowMoves = metrics.Moves.Lines,
            SlowMoveCount = metrics.Moves.Count,
            FanoutTimeline = metrics.FanoutTimeline.Slices(),
            ExitCode = exitCode,
        };
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: end this phase early and report.
        }
    }
}
