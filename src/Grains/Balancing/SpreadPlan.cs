using CardGame.Contracts.Grains;

namespace CardGame.Grains;

/// <summary>
/// How many of one kind of activation (tables, or players) a silo moves to which silos in one rebalancing cycle: its
/// surplus over the mean, shared among the silos below the mean in proportion to what each lacks, at most a limit. Every
/// silo plans from the same reports and moves only its own surplus, so together they fill each emptier silo up to the
/// mean without a coordinator. A surplus within <see cref="Tolerance"/> of the mean (at least one) is left alone, so
/// the tables that random placement spreads unevenly do not keep moving.
/// </summary>
public static class SpreadPlan
{
    /// <summary>The surplus left alone, as a fraction of the mean (at least one activation).</summary>
    public const double Tolerance = 0.05;

    public static List<(SiloAddress Target, int Count)> Moves(IReadOnlyList<SiloLoad> loads, SiloAddress self, Func<SiloLoad, int> count, int limit)
    {
        if (limit <= 0 || loads.Count < 2 || loads.FirstOrDefault(l => l.Silo.Equals(self)) is not { } mine)
        {
            return [];
        }

        var mean = loads.Sum(count) / (double)loads.Count;
        var surplus = count(mine) - mean;
        if (surplus <= Math.Max(1, mean * Tolerance))
        {
            return [];
        }

        var lacking = loads.Where(l => !l.Silo.Equals(self) && mean - count(l) >= 1)
            .Select(l => (l.Silo, Deficit: mean - count(l)))
            .OrderByDescending(l => l.Deficit)
            .ToList();
        if (lacking.Count == 0)
        {
            return [];
        }

        var give = Math.Min(limit, (int)Math.Floor(surplus));
        var total = lacking.Sum(l => l.Deficit);
        var shares = lacking.Select(l => (int)Math.Floor(give * l.Deficit / total)).ToArray();
        // What flooring left over goes to the silos that lack the most, one each.
        for (var i = 0; shares.Sum() < give && i < shares.Length; i++)
        {
            if (shares[i] < Math.Ceiling(lacking[i].Deficit))
            {
                shares[i]++;
            }
        }

        return [.. lacking.Select((l, i) => (l.Silo, shares[i])).Where(m => m.Item2 > 0)];
    }
}
