using System.Collections.Concurrent;
using CardGame.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Persistence;
using Orleans.Storage;
using Orleans.TestingHost;

namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>
/// Wraps a grain storage so that a write can land and still be reported as failed, as when Redis dies after applying
/// a write and before answering: <see cref="FailAfterNextWrite"/> arms it for one grain's next write.
/// </summary>
public sealed class LandThenFailStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    // The test cluster's silos run in the test process, so the test arms them directly.
    private static readonly ConcurrentDictionary<GrainId, bool> Armed = new();

    public static void FailAfterNextWrite(GrainId grainId) => Armed[grainId] = true;

    public static bool IsArmed(GrainId grainId) => Armed.ContainsKey(grainId);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (Armed.TryRemove(grainId, out _))
        {
            throw new TimeoutException("injected: the write landed but its answer was lost");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <summary>
    /// The <c>tables</c> storage of a silo: the real Redis storage, wrapped by Orleans' fault injection
    /// (<c>IStorageFaultGrain</c>: a write that fails before it lands), wrapped by <see cref="LandThenFailStorage"/>.
    /// </summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            FaultInjectionClusterFixture.FaultInjectionSiloConfigurator.AddFaultInjectedTablesStorage(
                siloBuilder, storage => new LandThenFailStorage(storage));
    }
}
