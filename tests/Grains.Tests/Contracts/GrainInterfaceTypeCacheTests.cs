using CardGame.Contracts.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Metadata;

namespace CardGame.Grains.Tests.Contracts;

/// <summary>
/// <see cref="GrainInterfaceTypeCache"/>: a process with it names every grain interface exactly as Orleans does without
/// it (so it still talks to one that lacks it), and names an interface again without working it out again.
/// </summary>
public sealed class GrainInterfaceTypeCacheTests
{
    private static readonly Type[] Interfaces =
    [
        .. typeof(ITableGrain).Assembly.GetTypes().Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t)),
        typeof(IManagementGrain),
        typeof(IGenericProbeGrain<int>),
    ];

    [Fact]
    public void Every_grain_interface_gets_the_name_Orleans_gives_it_without_the_cache()
    {
        var cached = Resolver(withCache: true);
        var plain = Resolver(withCache: false);

        Assert.True(Interfaces.Length > 5);
        foreach (var type in Interfaces)
        {
            // Twice: the first answer is worked out, the second comes from the cache.
            Assert.Equal(plain.GetGrainInterfaceType(type), cached.GetGrainInterfaceType(type));
            Assert.Equal(plain.GetGrainInterfaceType(type), cached.GetGrainInterfaceType(type));
        }
    }

    [Fact]
    public void A_known_interface_is_named_without_reading_its_attributes_or_formatting_its_name_again()
    {
        var cached = Resolver(withCache: true);
        var plain = Resolver(withCache: false);

        Assert.True(AllocatedPerCall(cached) * 10 < AllocatedPerCall(plain),
            $"with the cache {AllocatedPerCall(cached)} bytes per call, without {AllocatedPerCall(plain)}");
    }

    private static double AllocatedPerCall(GrainInterfaceTypeResolver resolver)
    {
        const int Calls = 1000;
        resolver.GetGrainInterfaceType(typeof(ITableGrain));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            resolver.GetGrainInterfaceType(typeof(ITableGrain));
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }

    private static GrainInterfaceTypeResolver Resolver(bool withCache)
    {
        var services = new ServiceCollection();
        services.AddOrleansClient(client =>
        {
            client.UseLocalhostClustering();
            if (withCache)
            {
                GrainInterfaceTypeCache.AddTo(client.Services);
            }
        });
        return services.BuildServiceProvider().GetRequiredService<GrainInterfaceTypeResolver>();
    }
}

/// <summary>A generic grain interface: Orleans adds its type arguments to the name.</summary>
[Alias("cardgame.tests.IGenericProbeGrain`1")]
public interface IGenericProbeGrain<T> : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<T> Get();
}
