using System.Collections.Concurrent;

namespace CardGame.LoadTest.Checking;

/// <summary>Counts correctness violations by kind and keeps the first few descriptions for the report.</summary>
public sealed class Violations
{
    private const int MaxSamples = 25;
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly ConcurrentQueue<string> _samples = new();
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyDictionary<string, long> ByKind => new SortedDictionary<string, long>(_counts);

    public IReadOnlyList<string> Samples => [.. _samples];

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
