using Orleans.CodeGeneration;

namespace CardGame.Contracts.Grains;

/// <summary>
/// The table grain's recent events as it sends them to edges (the same grain as <see cref="ITableGrain"/>, keyed by the
/// room id). An edge that receives an event further on than the next one it expects fetches what lies between here
/// before it passes anything on (<see cref="TableEventSequencer"/>). An interface of its own, so that adding it raised
/// no version of <see cref="ITableGrain"/> (which would have made Orleans deactivate the tables of silos of the
/// previous version when a new edge calls them during a rolling upgrade): on a silo that does not have it the call fails
/// and the edge passes the gap on, as before.
/// </summary>
[Alias("cardgame.ITableEventLog")]
[Version(1)]
public interface ITableEventLog : IGrainWithStringKey
{
    /// <summary>
    /// The events after <paramref name="seq"/>, in order, with their recipients and private parts (as
    /// <see cref="ITableObserver.OnTableEvents"/> carries them); empty when there are none; null when the table no longer
    /// remembers all of them (it keeps the latest 256, and none from before a reactivation that did not carry its
    /// memory) or the room does not exist.
    /// </summary>
    [Alias("EventsAfter")]
    Task<IReadOnlyList<TableNotification>?> EventsAfter(long seq);
}
