using System.Collections.Concurrent;

namespace CardGame.TestSupport;

/// <summary>
/// A fault injected on purpose, in a caller (an edge's Orleans client): the next call of a given method on a given grain
/// runs and answers, but the caller gets the answer only once the test releases it, as when the answer is dropped by a
/// stopping silo's gateway and the caller hears nothing until its response timeout. The grain is free meanwhile: a repeat
/// of the call is served at once.
/// </summary>
public sealed class HeldAnswers : IOutgoingGrainCallFilter
{
    private static readonly ConcurrentDictionary<(GrainId Grain, string Method), Task> Armed = new();

    /// <summary>The next call of <paramref name="method"/> on <paramref name="grain"/> answers only once <paramref name="release"/> completes.</summary>
    public static void HoldNextAnswer(GrainId grain, string method, Task release) => Armed[(grain, method)] = release;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var release = Armed.TryRemove((context.TargetId, context.MethodName), out var armed) ? armed : null;
        await context.Invoke();
        if (release is not null)
        {
            await release;
        }
    }
}
