using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace CardGame.Grains;

/// <summary>
/// Quick play for one room size (key: seats, 0 = any). One caller at a time: the room it opened last and is still
/// filling comes first (the room list lags it by up to a second), then the listed rooms with a free seat, fullest
/// first; failing those, a new quick-play room. The table decides every seat (<c>room_full</c>, <c>game_in_progress</c>
/// send the caller on to the next room), so no room ever exceeds its seats whoever else joins it meanwhile.
/// Immovable: one per room size, and moving it would forget the room it is filling.
/// </summary>
[Immovable]
public sealed partial class QuickPlayGrain(ILogger<QuickPlayGrain> logger) : Grain, IQuickPlayGrain
{
    /// <summary>Listed rooms tried before opening a new one.</summary>
    private const int MaxTries = 5;

    /// <summary>The size of a new room when any size will do.</summary>
    private const int DefaultSeats = 4;

    private string? _filling;

    private int Seats => (int)this.GetPrimaryKeyLong();

    public async Task<TableResult> Seat(PlayerSnapshot player)
    {
        foreach (var roomId in await CandidatesAsync())
        {
            var joined = await GrainFactory.GetGrain<ITableGrain>(roomId).Join(player);
            if (joined.IsOk)
            {
                _filling = joined.Value!.Players.Count < joined.Value.Seats && joined.Value.Phase != Phases.Playing ? roomId : null;
                return joined;
            }

            if (roomId == _filling)
            {
                _filling = null;
            }

            if (joined.Error?.Code is not (ErrorCodes.RoomFull or ErrorCodes.GameInProgress or ErrorCodes.RoomNotFound))
            {
                return joined;
            }
        }

        var seats = Seats == 0 ? DefaultSeats : Seats;
        var newRoom = RoomIds.New();
        var created = await GrainFactory.GetGrain<ITableGrain>(newRoom).Create("Quick play", seats, player.PlayerId, quickPlay: true);
        if (!created.IsOk)
        {
            return TableResult.Fail(created.Error!);
        }

        LogOpened(logger, newRoom, seats);
        var result = await GrainFactory.GetGrain<ITableGrain>(newRoom).Join(player);
        _filling = result.IsOk ? newRoom : null;
        return result;
    }

    private async Task<List<string>> CandidatesAsync()
    {
        var listed = await GrainFactory.GetGrain<IRoomListGrain>(0).List();
        var candidates = listed
            .Where(r => r.Phase == Phases.Waiting && r.Players < r.Seats && (Seats == 0 || r.Seats == Seats) && r.RoomId != _filling)
            .Select(r => r.RoomId)
            .Take(MaxTries)
            .ToList();
        if (_filling is not null)
        {
            candidates.Insert(0, _filling);
        }

        return candidates;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quick play opened room {RoomId} with {Seats} seats")]
    private static partial void LogOpened(ILogger logger, string roomId, int seats);
}
