using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace CardGame.Contracts.Grains;

/// <summary>
/// Orleans 10.4 works out a grain interface's type name afresh on every <c>GetGrain</c>: it reads the interface's
/// attributes, then formats its name. Under game load that was 6 % of a silo's CPU and 4 % of an edge's (every move gets
/// a table reference, every table commit a room-directory one; <c>bench/results/2026-11-30-1036-profile.txt</c>).
/// Registered first (<see cref="AddTo"/>), this provider answers from a cache that Orleans' own resolution (the other
/// providers, then its naming convention) fills once per interface, so every process names every interface exactly as
/// before, and as a process without it does.
/// </summary>
public sealed class GrainInterfaceTypeCache(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    [ThreadStatic]
    private static bool t_resolving;

    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();

    /// <summary>Puts the cache first among the grain interface type providers of <paramref name="services"/> (once).</summary>
    public static void AddTo(IServiceCollection services)
    {
        if (!services.Any(d => !d.IsKeyedService && d.ImplementationType == typeof(GrainInterfaceTypeCache)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, GrainInterfaceTypeCache>());
        }
    }

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        if (_known.TryGetValue(type, out grainInterfaceType))
        {
            return true;
        }

        if (t_resolving)
        {
            // Orleans' resolver, called from below, is asking this provider first: the others (and the convention) answer.
            return false;
        }

        t_resolving = true;
        try
        {
            grainInterfaceType = services.GetRequiredService<GrainInterfaceTypeResolver>().GetGrainInterfaceType(type);
        }
        finally
        {
            t_resolving = false;
        }

        _known.TryAdd(type, grainInterfaceType);
        return true;
    }
}
