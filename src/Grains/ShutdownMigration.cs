using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;

namespace CardGame.Grains;

/// <summary>
/// Moves activations to other active silos when their silo stops gracefully (live migration), instead of letting them
/// deactivate and reload from storage there. Grains that carry memory (<see cref="IGrainMigrationParticipant"/>) enrol
/// with <see cref="Track"/>; when the silo begins to stop, before it leaves the cluster (while the grain directory is
/// still steady), the enrolled activations marked first (tables) are moved at once, then the others (players), and the
/// stop waits (bounded) until they are gone: on the receiving silo (often just started, so slow at first) the tables
/// that moves wait for do not queue behind a hundred player activations. An
/// activation still here when the silo deactivates what is left (one created meanwhile) moves from
/// <c>OnDeactivateAsync</c> (<see cref="TryStart"/>). The target is chosen here, not by placement: while this silo is
/// stopping, placement may still count it among the candidates and then not migrate at all.
/// </summary>
public sealed partial class ShutdownMigration(
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    ILogger<ShutdownMigration> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a stop waits for the activations it moves before it goes on.</summary>
    public static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<GrainId, IGrainContext> _tracked = new();
    private readonly ConcurrentDictionary<GrainId, bool> _first = new();

    /// <summary>
    /// Enrols an activation (call from <c>OnActivateAsync</c>). Those marked <paramref name="first"/> (tables: every
    /// move waits for its table) move before the others, so they do not queue behind them on the receiving silo.
    /// </summary>
    public void Track(IGrainBase grain, bool first = false)
    {
        _tracked[grain.GrainContext.GrainId] = grain.GrainContext;
        if (first)
        {
            _first[grain.GrainContext.GrainId] = true;
        }
    }

    /// <summary>The enrolled activations here now: the tables (those marked first), or the others (players).</summary>
    public List<IGrainContext> Enrolled(bool tables) => [.. _tracked.Values.Where(c => _first.ContainsKey(c.GrainId) == tables)];

    /// <summary>
    /// Withdraws an activation that is deactivating, and starts migrating it if <paramref name="move"/>,
    /// <paramref name="reason"/> is a shutdown and another silo is active. Call from <c>OnDeactivateAsync</c>.
    /// </summary>
    public bool TryStart(IGrainBase grain, DeactivationReason reason, bool move, CancellationToken cancellationToken)
    {
        _tracked.TryRemove(new KeyValuePair<GrainId, IGrainContext>(grain.GrainContext.GrainId, grain.GrainContext));
        _first.TryRemove(grain.GrainContext.GrainId, out _);
        if (!move || reason.ReasonCode != DeactivationReasonCode.ShuttingDown || Targets() is not { Count: > 0 } targets)
        {
            return false;
        }

        Migrate(grain.GrainContext, targets, cancellationToken);
        return true;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ShutdownMigration), ServiceLifecycleStage.Active, _ => Task.CompletedTask, MoveAllAsync);

    private async Task MoveAllAsync(CancellationToken cancellationToken)
    {
        var moving = _tracked.Values.ToList();
        if (moving.Count == 0 || Targets() is not { Count: > 0 } targets)
        {
            return;
        }

        var started = Environment.TickCount64;
        var first = moving.Where(c => _first.ContainsKey(c.GrainId)).ToList();
        var firstMoved = await MoveAsync(first, targets, MoveTimeout, cancellationToken);
        var firstMilliseconds = Environment.TickCount64 - started;
        var rest = moving.Except(first).ToList();
        await MoveAsync(rest, targets, MoveTimeout - TimeSpan.FromMilliseconds(firstMilliseconds), cancellationToken);
        LogMoved(logger, moving.Count(c => c.Deactivated.IsCompleted), moving.Count, Environment.TickCount64 - started, firstMoved, first.Count, firstMilliseconds);
    }

    /// <summary>Migrates <paramref name="contexts"/> at once and waits (at most <paramref name="timeout"/>) until they are gone; returns how many went.</summary>
    private static async Task<int> MoveAsync(List<IGrainContext> contexts, List<SiloAddress> targets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        foreach (var context in contexts)
        {
            Migrate(context, targets, cancellationToken);
        }

        try
        {
            await Task.WhenAll(contexts.Select(c => c.Deactivated)).WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // What has not moved yet moves (or deactivates) as the silo deactivates what is left.
        }

        return contexts.Count(c => c.Deactivated.IsCompleted);
    }

    private List<SiloAddress> Targets() =>
        [.. membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress))
            .Select(m => m.SiloAddress)];

    private static void Migrate(IGrainContext context, List<SiloAddress> targets, CancellationToken cancellationToken) =>
        context.Migrate(new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = targets[Random.Shared.Next(targets.Count)] }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo stopping: {Moved} of {Count} activations moved to other silos in {Milliseconds} ms (first {FirstMoved} of {FirstCount} tables in {FirstMilliseconds} ms)")]
    private static partial void LogMoved(ILogger logger, int moved, int count, long milliseconds, int firstMoved, int firstCount, long firstMilliseconds);
}
