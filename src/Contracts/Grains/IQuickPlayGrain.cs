using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// Finds rooms for quick-play callers, one grain per room size (key: the seat count 2–6, or 0 for any size). It handles
/// one caller at a time, so concurrent callers on any edges fill the same room instead of each opening their own; the
/// table still decides every seat. Called only by <see cref="IPlayerGrain.QuickPlay"/> (which keeps "one room at a
/// time": it points at the offered room before it joins it, so the table that may seat the player is always known).
/// </summary>
[Alias("cardgame.IQuickPlayGrain")]
[Version(1)]
public interface IQuickPlayGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Seats <paramref name="player"/> at a waiting room with a free seat (fullest first), or at a new quick-play room.
    /// Kept for player grains of the previous version; <see cref="Offer"/> replaces it.
    /// </summary>
    [Alias("Seat")]
    Task<GameResult<TableView>> Seat(PlayerSnapshot player);

    /// <summary>
    /// The room <paramref name="playerId"/> should join next: a waiting room with a free seat that has not been offered
    /// to others (fullest first), or a new quick-play room (created by this call). <paramref name="refused"/> names the
    /// room this caller was just offered and whose table refused the join (full, dealt or closed): it is not offered again.
    /// </summary>
    [Alias("Offer")]
    Task<GameResult<RoomInfo>> Offer(string playerId, string? refused);
}
