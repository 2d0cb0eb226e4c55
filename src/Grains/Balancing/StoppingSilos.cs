using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Providers;

namespace CardGame.Grains;

/// <summary>
/// The silos that said they are stopping gracefully. Membership still lists a stopping silo as <c>Active</c> while it
/// hands its tables over (<see cref="ShutdownMigration"/> moves them before the silo leaves the cluster, since the
/// grain directory is steady then), so without this the other silos would keep placing new tables on it and the
/// rebalancer could move tables back onto it as it empties. A stopping silo <see cref="AnnounceAsync"/>s itself to every
/// active silo through Orleans' control channel (<see cref="IManagementGrain.SendControlCommandToProvider{T}"/>, which
/// calls each silo's <see cref="IControllable"/> of this name); each silo keeps the address until membership no longer
/// lists it as active. Read by <see cref="AwayFromStoppingSilosPlacementDirector"/> and <see cref="ActivationBalancer"/>.
/// A silo of an older version ignores the notice (its control channel has no such service): it may still place tables
/// there, and the stopping silo then moves them too.
/// </summary>
public sealed partial class StoppingSilos(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    ILogger<StoppingSilos> logger) : IControllable
{
    /// <summary>The name of this service in the control channel.</summary>
    public const string Name = "cardgame-stopping-silos";

    /// <summary>How long a stopping silo waits for the other silos to take the notice before it goes on.</summary>
    public static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(2);

    private const int StoppingCommand = 1;

    private readonly ConcurrentDictionary<SiloAddress, bool> _stopping = new();

    /// <summary>Whether <paramref name="address"/> said it is stopping and membership still lists it as active.</summary>
    public bool IsStopping(SiloAddress address)
    {
        if (!_stopping.ContainsKey(address))
        {
            return false;
        }

        if (membership.CurrentSnapshot.GetSiloStatus(address) is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created)
        {
            return true;
        }

        _stopping.TryRemove(address, out _);
        return false;
    }

    /// <summary>
    /// <paramref name="silos"/> without those stopping; all of them if every one is stopping (a silo placing a grain must
    /// have somewhere to put it).
    /// </summary>
    public SiloAddress[] Without(SiloAddress[] silos)
    {
        if (_stopping.IsEmpty)
        {
            return silos;
        }

        var left = Array.FindAll(silos, s => !IsStopping(s));
        return left.Length > 0 ? left : silos;
    }

    /// <summary>Tells every active silo (this one first) that this silo is stopping; waits at most <see cref="AnnounceTimeout"/>.</summary>
    public async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        _stopping[silo.SiloAddress] = true;
        var started = Environment.TickCount64;
        try
        {
            await grains.GetGrain<IManagementGrain>(0)
                .SendControlCommandToProvider<StoppingSilos>(Name, StoppingCommand, silo.SiloAddress.ToParsableString())
                .WaitAsync(AnnounceTimeout, cancellationToken);
            LogAnnounced(logger, Environment.TickCount64 - started);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A silo that did not answer (or runs an older version) may still place tables here: they move on too.
            LogAnnounceFailed(logger, Environment.TickCount64 - started, ex);
        }
    }

    public Task<object?> ExecuteCommand(int command, object? arg)
    {
        if (command == StoppingCommand && arg is string address)
        {
            var stopping = SiloAddress.FromParsableString(address);
            _stopping[stopping] = true;
            if (!stopping.Equals(silo.SiloAddress))
            {
                LogStopping(logger, stopping);
            }
        }

        return Task.FromResult<object?>(null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} is stopping: no new tables go there")]
    private static partial void LogStopping(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo stopping: the other silos were told in {Milliseconds} ms")]
    private static partial void LogAnnounced(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo stopping: telling the other silos failed after {Milliseconds} ms; tables placed here meanwhile move on too")]
    private static partial void LogAnnounceFailed(ILogger logger, long milliseconds, Exception exception);
}
