using System.Collections.Concurrent;

namespace CardGame.LoadTest.Checking;

/// <summary>
/// Counts correctness violations by kind and keeps the first few descriptions for the report; also counts checks that
/// passed or could not be made (e.g. shuffles verified), so a report shows what was checked.
/// </summary>
public sealed class Violations
{
    private const int MaxSamples = 25;
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly ConcurrentQueue<string> _samples = new();
    private readonly ConcurrentDictionary<string, long> _checks = new();
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyDictionary<string, long> ByKind => new SortedDictionary<string, long>(_counts);

    public IReadOnlyList<string> Samples => [.. _samples];

    /// <summary>Checks made without a violation, and checks that could not be made, by name (see <see cref="CheckNames"/>).</summary>
    public IReadOnlyDictionary<string, long> Checks => new SortedDictionary<string, long>(_checks);

    public void Count(string check) => _checks.AddOrUpdate(check, 1, (_, n) => n + 1);

    public void Report(string kind, string detail)
    {
        _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _total);
        if (_samples.Count < MaxSamples)
        {
            _samples.Enqueue($"{kind}: {detail}");
        }
    }
}
