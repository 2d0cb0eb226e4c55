using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace CardGame.Grains;

/// <summary>
/// Quick play for one room size (key: seats, 0 = any). One caller at a time, it names the room a caller should join:
/// the room it opened last while that still has seats it has not offered (the room list lags it by up to a second),
/// then the listed rooms with a free seat not already offered, fullest first; failing those, a new quick-play room.
/// The caller joins the table itself (so it can point at the room before it may sit there), and the table decides
/// every seat: a caller it refuses (<c>room_full</c>, <c>game_in_progress</c>, <c>room_not_found</c>) comes back
/// naming the room, which is not offered again for a while. No room ever exceeds its seats, whoever else joins it.
/// Immovable: one per room size, and moving it would forget the room it is filling.
/// </summary>
[Immovable]
public sealed partial class QuickPlayGrain(TimeProvider time, ILogger<QuickPlayGrain> logger) : Grain, IQuickPlayGrain
{
    /// <summary>How many rooms <see cref="Seat"/> tries for one caller.</summary>
    public const int MaxTries = 8;

    /// <summary>The size of a new room when any size will do.</summary>
    private const int DefaultSeats = 4;

    /// <summary>How long an offer of a listed room counts against its free seats, and a refusal keeps a room out: longer than the list lags.</summary>
    private static readonly TimeSpan Remembered = TimeSpan.FromSeconds(3);

    private readonly Dictionary<string, (int Count, DateTimeOffset Until)> _offered = [];
    private readonly Dictionary<string, DateTimeOffset> _refused = [];
    private RoomInfo? _filling;
    private int _fillingUnoffered;

    private int Seats => (int)this.GetPrimaryKeyLong();

    public async Task<RoomResult> Offer(string playerId, string? refused)
    {
        var now = time.GetUtcNow();
        Forget(now);
        if (refused is not null)
        {
            _refused[refused] = now + Remembered;
            if (refused == _filling?.RoomId)
            {
                _filling = null;
            }
        }

        if (_filling is not null && _fillingUnoffered > 0)
        {
            _fillingUnoffered--;
            return RoomResult.Ok(_filling);
        }

        foreach (var room in await GrainFactory.GetGrain<IRoomListGrain>(0).List())
        {
            if (room.Phase != Phases.Waiting || (Seats != 0 && room.Seats != Seats) || room.RoomId == _filling?.RoomId || _refused.ContainsKey(room.RoomId))
            {
                continue;
            }

            var offered = _offered.TryGetValue(room.RoomId, out var o) ? o.Count : 0;
            if (room.Players + offered < room.Seats)
            {
                _offered[room.RoomId] = (offered + 1, now + Remembered);
                return RoomResult.Ok(room);
            }
        }

        var seats = Seats == 0 ? DefaultSeats : Seats;
        var roomId = RoomIds.New();
        var created = await GrainFactory.GetGrain<ITableGrain>(roomId).Create("Quick play", seats, playerId, quickPlay: true);
        if (created.IsOk)
        {
            LogOpened(logger, roomId, seats);
            _filling = created.Value;
            _fillingUnoffered = seats - 1;
        }

        return created;
    }

    /// <summary>
    /// What callers of an earlier version use (a player grain on a silo not yet upgraded): offers and joins in one call.
    /// New callers use <see cref="Offer"/> and join themselves.
    /// </summary>
    public async Task<TableResult> Seat(PlayerSnapshot player)
    {
        string? refused = null;
        TableResult joined = TableResult.Fail(ErrorCodes.Unavailable, "no quick-play room found; try again");
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var offer = await Offer(player.PlayerId, refused);
            if (!offer.IsOk)
            {
                return TableResult.Fail(offer.Error!);
            }

            joined = await GrainFactory.GetGrain<ITableGrain>(offer.Value!.RoomId).Join(player);
            if (!IsRefusal(joined))
            {
                return joined;
            }

            refused = offer.Value.RoomId;
        }

        return joined;
    }

    /// <summary>Whether a table's answer to a join sends the caller on to another room (it did not seat them).</summary>
    public static bool IsRefusal(TableResult joined) =>
        joined.Error?.Code is ErrorCodes.RoomFull or ErrorCodes.GameInProgress or ErrorCodes.RoomNotFound;

    private void Forget(DateTimeOffset now)
    {
        foreach (var roomId in _offered.Where(o => o.Value.Until <= now).Select(o => o.Key).ToList())
        {
            _offered.Remove(roomId);
        }

        foreach (var roomId in _refused.Where(r => r.Value <= now).Select(r => r.Key).ToList())
        {
            _refused.Remove(roomId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quick play opened room {RoomId} with {Seats} seats")]
    private static partial void LogOpened(ILogger logger, string roomId, int seats);
}
