using Orleans.Runtime.Placement;

namespace CardGame.Grains;

/// <summary>
/// Orleans' random placement (what <c>[RandomPlacement]</c> tables use), less the silos that said they are stopping
/// (<see cref="StoppingSilos"/>): a table created while a silo hands its tables over is not placed on that silo. It
/// replaces the director of <see cref="RandomPlacement"/> on this silo only and changes nothing in the grain's
/// properties, so silos of the previous version place as before in a mixed-version cluster. A placement hint (a
/// migration's target) is followed as before, even to a stopping silo: the caller chose it.
/// </summary>
public sealed class AwayFromStoppingSilosPlacementDirector(StoppingSilos stopping) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, compatible) is { } hint)
        {
            return Task.FromResult(hint);
        }

        var candidates = stopping.Without(compatible);
        return Task.FromResult(candidates[Random.Shared.Next(candidates.Length)]);
    }
}
