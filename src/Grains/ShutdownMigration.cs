using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;

namespace CardGame.Grains;

/// <summary>
/// Moves activations to other active silos when their silo stops gracefully (live migration), instead of letting them
/// deactivate and reload from storage there. Grains that carry memory (<see cref="IGrainMigrationParticipant"/>) enrol
/// with <see cref="Track"/>; when the silo begins to stop, before it leaves the cluster (while the grain directory is
/// still steady), every enrolled activation is moved at once and the stop waits (bounded) until they are gone. An
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

    /// <summary>Enrols an activation (call from <c>OnActivateAsync</c>).</summary>
    public void Track(IGrainBase grain) => _tracked[grain.GrainContext.GrainId] = grain.GrainContext;

    /// <summary>
    /// Withdraws an activation that is deactivating, and starts migrating it if <paramref name="move"/>,
    /// <paramref name="reason"/> is a shutdown and another silo is active. Call from <c>OnDeactivateAsync</c>.
    /// </summary>
    public bool TryStart(IGrainBase grain, DeactivationReason reason, bool move, CancellationToken cancellationToken)
    {
        _tracked.TryRemove(new KeyValuePair<GrainId, IGrainContext>(grain.GrainContext.GrainId, grain.GrainContext));
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
        foreach (var context in moving)
        {
            Migrate(context, targets, cancellationToken);
        }

        try
        {
            await Task.WhenAll(moving.Select(c => c.Deactivated)).WaitAsync(MoveTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // What has not moved yet moves (or deactivates) as the silo deactivates what is left.
        }

        LogMoved(logger, moving.Count(c => c.Deactivated.IsCompleted), moving.Count, Environment.TickCount64 - started);
    }

    private List<SiloAddress> Targets() =>
        [.. membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress))
            .Select(m => m.SiloAddress)];

    private static void Migrate(IGrainContext context, List<SiloAddress> targets, CancellationToken cancellationToken) =>
        context.Migrate(new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = targets[Random.Shared.Next(targets.Count)] }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo stopping: {Moved} of {Count} activations moved to other silos in {Milliseconds} ms")]
    private static partial void LogMoved(ILogger logger, int moved, int count, long milliseconds);
}
