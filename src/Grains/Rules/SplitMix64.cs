namespace CardGame.Grains.Rules;

/// <summary>
/// A tiny seeded generator (SplitMix64) whose whole state is one <see cref="ulong"/>, stored with the game. Games are
/// dealt with the fair shuffle now; this only reshuffles games stored mid-play before it (they have no seed).
/// </summary>
internal static class SplitMix64
{
    public static ulong Next(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A uniform integer in [0, bound), without modulo bias.</summary>
    public static int NextInt(ref ulong state, int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        var n = (ulong)bound;
        var threshold = unchecked(0UL - n) % n; // 2^64 mod n: values below it would favour the low results
        while (true)
        {
            var r = Next(ref state);
            if (r >= threshold)
            {
                return (int)(r % n);
            }
        }
    }

    /// <summary>Fisher–Yates.</summary>
    public static void Shuffle<T>(IList<T> items, ref ulong state)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(ref state, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
