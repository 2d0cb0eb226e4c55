using System.CommandLine;
using System.CommandLine.Parsing;
using CardGame.LoadTest.Running;

namespace CardGame.LoadTest.Cli;

/// <summary>The command line: options, their defaults and help, bound to <see cref="LoadTestOptions"/>.</summary>
public static class LoadTestCommand
{
    public static RootCommand Create(Func<LoadTestOptions, CancellationToken, Task<int>> run)
    {
        var edges = new Option<string>("--edges", "-e")
        {
            Description = "Comma-separated edge base URLs; players are spread over them round-robin, so the seats of a table mix edges.",
            DefaultValueFactory = _ => "http://127.0.0.1:5101",
        };
        var scenario = new Option<Scenario>("--scenario")
        {
            Description = "game: play Crazy Eights on /hubs/game and check it. idle: sit down and do nothing (memory). "
                + "lobby: connections watching the lobby (--players of them), timed from room changes sent to the directory (--lobby-*). "
                + "echo / grain: the bare stack of bench/BareStack (/hubs/bare): SignalR echo, or a no-op grain call plus a send to the other seats.",
            DefaultValueFactory = _ => Scenario.Game,
        };
        var players = new Option<int>("--players", "-n") { Description = "Simulated players (each one SignalR connection).", DefaultValueFactory = _ => 200 };
        var seats = new Option<int>("--seats") { Description = "Seats per table (2-6); every table is filled by this tool.", DefaultValueFactory = _ => 4 };
        var spectators = new Option<int>("--spectators")
        {
            Description = "game scenario: spectators per table (WatchRoom), each on its own connection, checked like the players: every event in order, never a hand or a taken card.",
            DefaultValueFactory = _ => 0,
        };
        var quickPlay = new Option<bool>("--quick-play")
        {
            Description = "game scenario: players find their tables through QuickPlay (the server seats them; rooms deal when full) instead of "
                + "creating and joining rooms; checked the same way. Not with --spectators.",
        };
        var lobbyRooms = new Option<int>("--lobby-rooms") { Description = "lobby scenario: rooms announced to the room directory.", DefaultValueFactory = _ => 10_000 };
        var lobbyChanges = new Option<int>("--lobby-changes") { Description = "lobby scenario: rooms changed at once per round.", DefaultValueFactory = _ => 100 };
        var lobbyRounds = new Option<int>("--lobby-rounds") { Description = "lobby scenario: measured rounds of changes (after 5 warm-up rounds).", DefaultValueFactory = _ => 8 };
        var orleansGateway = new Option<int>("--orleans-gateway")
        {
            Description = "lobby scenario: a silo's gateway port (localhost clustering, cluster and service id \"cardgame\"): the changes go to the directory shards through it.",
            DefaultValueFactory = _ => 30000,
        };
        var think = DurationOption("--think", "Closed loop: a player's think time before each move (±20 %). 0 = as fast as the server answers.", TimeSpan.FromSeconds(5));
        var rate = new Option<double>("--rate")
        {
            Description = "Open loop: moves per second across all players, issued on a fixed schedule whether or not the server keeps up "
                + "(latency counts from the scheduled time). 0 = closed loop with --think.",
            DefaultValueFactory = _ => 0,
        };
        var duration = DurationOption("--duration", "How long to measure, after ramp-up and warm-up (e.g. 60s, 2m).", TimeSpan.FromSeconds(60));
        var warmup = DurationOption("--warmup", "Play this long before measuring.", TimeSpan.FromSeconds(5));
        var connectConcurrency = new Option<int>("--connect-concurrency") { Description = "Players signing in and connecting at once during ramp-up.", DefaultValueFactory = _ => 64 };
        var idleSteps = new Option<string?>("--idle-steps") { Description = "Idle scenario: comma-separated player counts at which to sample server memory (e.g. 1000,5000,10000)." };
        var serverPids = new Option<string?>("--server-pids") { Description = "Comma-separated pids of server processes: the report adds their CPU time per action and RSS (from /proc)." };
        var payload = new Option<int>("--payload-bytes") { Description = "echo / grain scenarios: bytes of payload per invocation.", DefaultValueFactory = _ => 256 };
        var seed = new Option<int?>("--seed") { Description = "Seed of the move chooser (ties only); printed in the report." };
        var json = new Option<bool>("--json") { Description = "Print the final report as JSON on stdout (progress goes to stderr)." };
        var jsonFile = new Option<FileInfo?>("--json-file") { Description = "Also write the JSON report to this file." };

        foreach (var positive in new[] { players, seats, connectConcurrency, lobbyRooms, lobbyChanges, lobbyRounds })
        {
            positive.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{result.Option.Name} must be at least 1");
                }
            });
        }

        spectators.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 100)
            {
                result.AddError("--spectators must be 0 to 100");
            }
        });

        seats.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 2 or > 6)
            {
                result.AddError("--seats must be 2 to 6");
            }
        });

        var root = new RootCommand(
            "CardGame load generator: simulated Crazy Eights players on real SignalR connections, with latency percentiles "
            + "and correctness checks. Every move carries a moveId; a player whose connection drops reconnects, catches up "
            + "with Resume (checked like live events) and sends a move whose answer was lost again with the same moveId. "
            + "Exits 1 when a correctness violation was seen, 2 when the run could not start.")
        {
            edges, scenario, players, seats, spectators, quickPlay, think, rate, duration, warmup, connectConcurrency, idleSteps, serverPids, payload, seed, json, jsonFile,
            lobbyRooms, lobbyChanges, lobbyRounds, orleansGateway,
        };

        root.Validators.Add(result =>
        {
            if (result.GetValue(quickPlay) && (result.GetValue(spectators) > 0 || result.GetValue(scenario) != Scenario.Game))
            {
                result.AddError("--quick-play is for the game scenario, without --spectators");
            }
        });

        root.SetAction((parse, cancellationToken) =>
        {
            var options = new LoadTestOptions
            {
                Edges = [.. SplitList(parse.GetValue(edges)).Select(url => new Uri(url.TrimEnd('/') + "/"))],
                Scenario = parse.GetValue(scenario),
                Players = parse.GetValue(players),
                Seats = parse.GetValue(seats),
                Spectators = parse.GetValue(spectators),
                QuickPlay = parse.GetValue(quickPlay),
                Think = parse.GetValue(think),
                Rate = parse.GetValue(rate),
                Duration = parse.GetValue(duration),
                Warmup = parse.GetValue(warmup),
                ConnectConcurrency = parse.GetValue(connectConcurrency),
                IdleSteps = [.. SplitList(parse.GetValue(idleSteps)).Select(int.Parse)],
                ServerPids = [.. SplitList(parse.GetValue(serverPids)).Select(int.Parse)],
                PayloadBytes = parse.GetValue(payload),
                LobbyRooms = parse.GetValue(lobbyRooms),
                LobbyChanges = parse.GetValue(lobbyChanges),
                LobbyRounds = parse.GetValue(lobbyRounds),
                OrleansGateway = parse.GetValue(orleansGateway),
                Seed = parse.GetValue(seed) ?? Environment.TickCount,
                Json = parse.GetValue(json),
                JsonFile = parse.GetValue(jsonFile),
            };
            return run(options, cancellationToken);
        });
        return root;
    }

    private static Option<TimeSpan> DurationOption(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description + $" Default {defaultValue.TotalSeconds:0.###}s.",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (DurationParser.TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a duration (e.g. 500ms, 5s, 2m)");
            return default;
        },
    };

    private static IEnumerable<string> SplitList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
