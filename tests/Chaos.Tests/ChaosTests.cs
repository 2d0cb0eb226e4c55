using CardGame.Contracts.Grains;

namespace CardGame.Chaos.Tests;

/// <summary>
/// Jepsen-style: two recording clients play on two edges while one fault is injected, then the history check
/// (<see cref="HistoryCheck"/>): no acknowledged move lost or applied twice, no refused move applied, every client at
/// the same seq with every event seen, memory equal to storage, 52 cards. Each test prints how long the table was
/// unavailable. The faults share one cluster; each test first repairs what an earlier one broke.
/// </summary>
public sealed class ChaosTests(ChaosFixture fixture, ITestOutputHelper output) : IClassFixture<ChaosFixture>
{
    [Fact]
    public async Task Killing_the_silo_process_that_hosts_the_table_loses_no_acknowledged_move()
    {
        // A third silo, a real process: the table is placed there (rooms are created until one is), then SIGKILL.
        var silo = await fixture.StartSiloProcessAsync();
        await fixture.EnsureEdgesAsync();
        await using var game = await ChaosGame.StartAsync(fixture.EdgesFor, output,
            accept: async roomId => (await HostOfAsync(roomId)).Endpoint.Port == silo.SiloPort);

        var unavailable = await game.InjectAsync("silo kill (SIGKILL)", () =>
        {
            silo.Kill();
            return Task.CompletedTask;
        });
        if (unavailable > TimeSpan.FromSeconds(10))
        {
            foreach (var edge in fixture.Edges)
            {
                output.WriteLine($"{edge.Name} said:\n{edge.Tail(60)}");
            }
        }

        Assert.Empty(await game.StopAndCheckAsync(fixture.Redis));
        Assert.NotEqual(silo.SiloPort, (await HostOfAsync(game.RoomId)).Endpoint.Port);
        // A liveness bound, far above the 1-7 s measured: with Orleans' default directory lease (30 s from the estimated
        // failure) the table stayed out of reach for 23 s, which Silo:DirectoryRangeLeaseSeconds (0) removed.
        Assert.True(unavailable < TimeSpan.FromSeconds(20), $"the table was unavailable for {unavailable.TotalSeconds:F1} s after its silo was killed");
    }

    [Fact]
    public async Task Killing_an_edge_moves_its_player_to_the_other_edge_where_it_resumes_and_loses_nothing()
    {
        await fixture.EnsureEdgesAsync();
        await using var game = await ChaosGame.StartAsync(fixture.EdgesFor, output);
        var alice = game.Clients[0];
        var victim = fixture.Edges.Single(e => e.Url == alice.Edge);

        await game.InjectAsync("edge kill", () =>
        {
            victim.Kill();
            return Task.CompletedTask;
        });
        await game.WaitForMovesAsync(4, game.Clock.Elapsed, TimeSpan.FromSeconds(30));

        Assert.Empty(await game.StopAndCheckAsync(fixture.Redis));
        Assert.True(alice.Reconnects >= 1, "alice never reconnected");
        Assert.NotEqual(victim.Url, alice.Edge);
        Assert.Contains(alice.Actions, a => a.Kind == "resume" && a.Final == Outcome.Ok && a.Attempts[^1].Edge != victim.Url);
        Assert.Contains(alice.Actions, a => a.IsMove && a.Final == Outcome.Ok && a.Attempts[^1].Edge != victim.Url);
    }

    [Fact]
    public async Task Restarting_redis_with_appendfsync_always_loses_no_acknowledged_move()
    {
        await fixture.EnsureEdgesAsync();
        await using var game = await ChaosGame.StartAsync(fixture.EdgesFor, output);

        var (dead, restarting) = (TimeSpan.Zero, TimeSpan.Zero);
        await game.InjectAsync("redis restart", async () =>
        {
            fixture.Redis.Kill(); // SIGKILL, and waits until the process is gone
            dead = game.Clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));
            restarting = game.Clock.Elapsed; // nothing can be written before this; the server answers soon after
            await fixture.Redis.StartAgainAsync();
        });

        Assert.Empty(await game.StopAndCheckAsync(fixture.Redis));
        // Moves were in flight while Redis was down (they fail, or wait for it: the Redis client queues commands while
        // it reconnects), and no move first sent after Redis died was acknowledged before it was back (a retry of a
        // move stored before the kill may be: the table answers it from the move ids it stored).
        var (down, up) = (dead, game.FaultWindow.End);
        foreach (var move in game.Moves.Where(m => m.Attempts.Any(a => a.StartedAt < up && a.EndedAt > down)))
        {
            output.WriteLine($"during the outage: {move} (ack seq {move.AckSeq})");
        }

        // The game was talking to the table across the outage: a move, or the view a player asks for before moving (a
        // fresh-clone run had no move attempt across a 1.1 s outage, the next player's calls waiting until Redis was back).
        var attempts = game.Clients.SelectMany(c => c.Actions).SelectMany(a => a.Attempts).ToList();
        Assert.Contains(attempts, a => a.StartedAt < up && a.EndedAt > down);
        // Before the new redis-server was even started. Not before the fault's end: the test sees the server answer only
        // at its next poll, and a table may write and acknowledge in between (two whole-suite runs at load 26-40 failed
        // in this test, their messages not kept; this is the race that fits their figures).
        Assert.DoesNotContain(game.Moves, m => m.Attempts[0].StartedAt > down && m.Attempts.Any(a => a.Outcome == Outcome.Ok && a.EndedAt < restarting));
    }

    [Fact]
    public async Task A_move_that_times_out_and_is_retried_with_the_same_moveId_is_applied_once()
    {
        await fixture.EnsureEdgesAsync();
        // Clients give up waiting after 1 s. Redis takes no writes until a move sent meanwhile has timed out on its
        // client (readiness: a pause of a fixed 3 s once passed with only views timing out, on a machine so busy that
        // no move was sent in it), so that move is in flight, unanswered, and completes once writes resume.
        await using var game = await ChaosGame.StartAsync(fixture.EdgesFor, output, invocationTimeout: TimeSpan.FromSeconds(1));

        await game.InjectAsync("slow write (client timeout)", async () =>
        {
            var redis = await fixture.Redis.DatabaseAsync();
            var paused = game.Clock.Elapsed;
            await redis.ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");
            try
            {
                // A move in flight while Redis takes no writes: its first attempt timed out after the pause began. It may
                // have been sent a moment before the pause (its write then waits as well): a client whose move that is
                // repeats it and sends no other, so waiting for a move sent after the pause once waited in vain.
                await game.WaitUntilAsync(
                    () => game.Moves.Any(m => m.Attempts.Count > 0 && m.Attempts[0].EndedAt >= paused && m.Attempts[0].Outcome == Outcome.Unknown),
                    TimeSpan.FromSeconds(50), "a move sent while Redis took no writes timed out on its client");
            }
            finally
            {
                await redis.ExecuteAsync("CLIENT", "UNPAUSE");
            }
        });

        Assert.Empty(await game.StopAndCheckAsync(fixture.Redis));
        Assert.Contains(game.Moves, m => m.Final == Outcome.Ok && m.Attempts.Count > 1 && m.Attempts[0].Outcome == Outcome.Unknown);
    }

    private async Task<SiloAddress> HostOfAsync(string roomId)
    {
        var tableId = fixture.Grains.GetGrain<ITableGrain>(roomId).GetGrainId();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var stats = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
                return stats.Single(s => s.GrainId == tableId).SiloAddress;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
