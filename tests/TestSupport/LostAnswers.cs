using System.Collections.Concurrent;

namespace CardGame.TestSupport;

/// <summary>
/// A fault injected on purpose: a grain call armed with <see cref="LoseNextAnswer"/> runs, and then its caller gets a
/// <see cref="TimeoutException"/> instead of the answer, as when a call times out after it ran. Installed on the silos
/// of <see cref="FaultInjectionClusterFixture"/> (the silos run in the test process).
/// </summary>
public sealed class LostAnswers : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<(GrainId Grain, string Method), bool> Armed = new();

    /// <summary>The next call of <paramref name="method"/> on <paramref name="grain"/> runs, and its answer is lost.</summary>
    public static void LoseNextAnswer(GrainId grain, string method) => Armed[(grain, method)] = true;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (Armed.TryRemove((context.TargetId, context.ImplementationMethod.Name), out _))
        {
            throw new TimeoutException($"injected: the answer to {context.ImplementationMethod.Name} was lost after it ran");
        }
    }
}
