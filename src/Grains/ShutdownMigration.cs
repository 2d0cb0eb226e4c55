using Orleans.Runtime.Placement;

namespace CardGame.Grains;

/// <summary>
/// Moves an activation to another active silo when its own silo shuts down gracefully (live migration), instead of
/// letting it deactivate and reload from storage there. The target is chosen here, not by placement: while this silo
/// is stopping, placement may still count it among the candidates and then not migrate at all.
/// </summary>
public static class ShutdownMigration
{
    /// <summary>
    /// Starts migrating <paramref name="grain"/> if <paramref name="reason"/> is a shutdown and another silo is active.
    /// Call from <c>OnDeactivateAsync</c>; the grain's <see cref="IGrainMigrationParticipant"/> then carries its memory.
    /// </summary>
    public static bool TryStart(IGrainBase grain, DeactivationReason reason, IClusterMembershipService membership, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            return false;
        }

        var self = grain.GrainContext.Address.SiloAddress;
        var targets = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress)
            .ToList();
        if (targets.Count == 0)
        {
            return false;
        }

        var target = targets[Random.Shared.Next(targets.Count)];
        grain.GrainContext.Migrate(new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = target }, cancellationToken);
        return true;
    }
}
