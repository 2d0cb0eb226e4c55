using CardGame.Contracts.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;

namespace CardGame.Grains;

/// <summary>
/// Moves this silo's surplus of tables, then of players, to emptier silos by live migration (their memory goes with
/// them), one activation at a time. Every <see cref="RebalancingOptions.CycleSeconds"/> the silo reports what it hosts
/// to <see cref="ISiloLoadGrain"/>, gets every silo's report back, plans with <see cref="SpreadPlan"/> and moves at
/// most <see cref="RebalancingOptions.MaxMovesPerCycle"/> activations, each one only once the previous one is active
/// where it went.
/// Why one at a time, and not Orleans' activation rebalancer: Orleans migrates the activations a silo sends to another
/// silo in batches (<c>ActivationMigrationManager</c> sends all that are waiting in one <c>AcceptMigratingGrains</c>
/// call, which answers only once every activation of the batch is active on the target), and a call to any of them
/// waits for that answer. The rebalancer starts all of a cycle's moves at once, so a move on one table waited for up to
/// 20 tables and players to activate on a silo that had just started: 2.3 s on the busy 2-core machine. One at a time,
/// a call waits only for its own table.
/// A silo reports its load only once its warm-up (<see cref="ISiloWarmup"/>) is over, so no silo plans moves onto it
/// before that: the warm-up migrates a made-up room in from another silo, and a table that the other silo's balancer
/// sent meanwhile went in one batch with it (a batch of 2 in the rebalancing test on a machine at load average 40).
/// </summary>
public sealed partial class ActivationBalancer(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    ShutdownMigration enrolled,
    StoppingSilos stopping,
    IEnumerable<ISiloWarmup> warmups,
    IOptions<RebalancingOptions> options,
    TimeProvider time,
    ILogger<ActivationBalancer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long one move may take before the cycle gives up the rest of its moves.</summary>
    public static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stopping = new();
    private Task _cycles = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ActivationBalancer), ServiceLifecycleStage.Active + 1, Start, StopAsync);

    /// <summary>
    /// One cycle: report, plan, move. Returns how many tables and players moved. Waits for nothing but the moves (the
    /// cycles' pacing is the caller's).
    /// </summary>
    public async Task<(int Tables, int Players)> RunCycleAsync(CancellationToken cancellationToken)
    {
        var tables = enrolled.Enrolled(tables: true);
        var players = enrolled.Enrolled(tables: false);
        var loads = await grains.GetGrain<ISiloLoadGrain>(0).Report(new SiloLoad(silo.SiloAddress, tables.Count, players.Count));
        // A silo that said it is stopping is still listed as active while it hands its tables over: it is no target.
        var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && !stopping.IsStopping(m.SiloAddress))
            .Select(m => m.SiloAddress).ToHashSet();
        var current = loads.Where(l => active.Contains(l.Silo)).ToList();
        if (active.Count < 2 || !active.Contains(silo.SiloAddress) || current.Count < active.Count)
        {
            // Alone, stopping, or not every silo has reported yet.
            return (0, 0);
        }

        var started = time.GetTimestamp();
        var limit = options.Value.MaxMovesPerCycle;
        var tablesMoved = await MoveAsync(tables, SpreadPlan.Moves(current, silo.SiloAddress, l => l.Tables, limit), cancellationToken);
        var playersMoved = await MoveAsync(players, SpreadPlan.Moves(current, silo.SiloAddress, l => l.Players, limit - tablesMoved), cancellationToken);
        if (tablesMoved + playersMoved > 0)
        {
            LogMoved(logger, tablesMoved, tables.Count, playersMoved, players.Count, (long)time.GetElapsedTime(started).TotalMilliseconds);
        }

        return (tablesMoved, playersMoved);
    }

    private Task Start(CancellationToken cancellationToken)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _cycles = Task.Run(RunCyclesAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _cycles.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunCyclesAsync()
    {
        var period = TimeSpan.FromSeconds(options.Value.CycleSeconds);
        try
        {
            await Task.WhenAll(warmups.Select(w => w.Completed)).WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }

        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, _stopping.Token);
                await RunCycleAsync(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCycleFailed(logger, ex);
            }
        }
    }

    /// <summary>Moves candidates as planned, one at a time; stops at the first move that does not finish in time.</summary>
    private async Task<int> MoveAsync(List<IGrainContext> candidates, List<(SiloAddress Target, int Count)> plan, CancellationToken cancellationToken)
    {
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candidates));
        var next = 0;
        var moved = 0;
        foreach (var (target, count) in plan)
        {
            for (var i = 0; i < count && next < candidates.Count; i++)
            {
                if (stopping.IsStopping(target) || stopping.IsStopping(silo.SiloAddress))
                {
                    // Heard meanwhile: that silo (or this one) is stopping.
                    return moved;
                }

                var context = candidates[next++];
                if (context.Deactivated.IsCompleted)
                {
                    i--;
                    continue;
                }

                context.Migrate(new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = target });
                try
                {
                    await context.Deactivated.WaitAsync(MoveTimeout, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    LogMoveTimedOut(logger, context.GrainId, target, (long)MoveTimeout.TotalMilliseconds);
                    return moved;
                }

                moved++;
            }
        }

        return moved;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebalancing: moved {Tables} of {HostedTables} tables and {Players} of {HostedPlayers} players to emptier silos in {Milliseconds} ms")]
    private static partial void LogMoved(ILogger logger, int tables, int hostedTables, int players, int hostedPlayers, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebalancing: moving {GrainId} to {Target} took over {Milliseconds} ms; the cycle's other moves wait for the next cycle")]
    private static partial void LogMoveTimedOut(ILogger logger, GrainId grainId, SiloAddress target, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebalancing cycle failed; the next one tries again")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);
}
