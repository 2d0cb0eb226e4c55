using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// Seats quick-play callers, one grain per room size (key: the seat count 2–6, or 0 for any size). It handles one
/// caller at a time, so concurrent callers on any edges fill the same room instead of each opening their own; the
/// table still checks every seat. Called only by <see cref="IPlayerGrain.QuickPlay"/> (which keeps "one room at a time").
/// </summary>
[Alias("cardgame.IQuickPlayGrain")]
[Version(1)]
public interface IQuickPlayGrain : IGrainWithIntegerKey
{
    /// <summary>Seats <paramref name="player"/> at a waiting room with a free seat (fullest first), or at a new quick-play room.</summary>
    [Alias("Seat")]
    Task<GameResult<TableView>> Seat(PlayerSnapshot player);
}
