using CardGame.Contracts.Grains;
using Orleans.Placement;

namespace CardGame.Grains;

/// <summary>
/// Keeps each silo's latest <see cref="SiloLoad"/> in memory (nothing is stored: every silo reports again each cycle).
/// A silo not heard from for <see cref="Forget"/> is dropped. Immovable: rebalancing must not move its own meeting point.
/// </summary>
[Immovable]
public sealed class SiloLoadGrain(TimeProvider time) : Grain, ISiloLoadGrain
{
    /// <summary>How long a report counts without being renewed.</summary>
    public static readonly TimeSpan Forget = TimeSpan.FromMinutes(1);

    private readonly Dictionary<SiloAddress, (SiloLoad Load, DateTimeOffset At)> _loads = [];

    public Task<IReadOnlyList<SiloLoad>> Report(SiloLoad load)
    {
        var now = time.GetUtcNow();
        _loads[load.Silo] = (load, now);
        foreach (var stale in _loads.Where(l => now - l.Value.At > Forget).Select(l => l.Key).ToList())
        {
            _loads.Remove(stale);
        }

        return Task.FromResult<IReadOnlyList<SiloLoad>>([.. _loads.Values.Select(l => l.Load)]);
    }
}
