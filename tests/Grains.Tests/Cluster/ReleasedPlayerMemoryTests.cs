using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// A playing player's grain stays in memory for the next game's end; once the player is gone and their table releases
/// the seat (the seat hold expired), nothing will call that grain for them, so it leaves memory at once instead of
/// after the idle time (<see cref="PlayerGrain.IdleMinutes"/>, 2 minutes).
/// </summary>
[Collection(FastTimersCollection.Name)]
public sealed class ReleasedPlayerMemoryTests(FastTimersClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_player_whose_seat_is_released_after_their_games_leaves_memory_while_one_still_seated_stays()
    {
        // Two tables of two; at each, the other player walks away mid-game, so the one who stays wins when the seat
        // hold (1.5 s here) releases the other's seat: the winners' grains hear of a finished game and stay for the next.
        var (gone, goneTable) = await WinByWalkoverAsync();
        var (stays, _) = await WinByWalkoverAsync();
        string[] ids = [gone, stays];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await PlayerMemoryTests.ActiveAsync(Grains, ids)).Count != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the winners' grains were not in memory 30 s after their games ended");
            await Task.Delay(100);
        }

        // One winner walks away too: their seat is released after the hold, and their grain goes with it.
        await Grains.GetGrain<ITableGrain>(goneTable).Unfollow($"edge-{Guid.NewGuid():N}", [gone]);
        var active = await PlayerMemoryTests.ActiveAsync(Grains, ids);
        while (active.Contains(gone))
        {
            Assert.True(DateTime.UtcNow < deadline, $"a player whose seat was released still in memory: {string.Join(", ", active)}");
            await Task.Delay(100);
            active = await PlayerMemoryTests.ActiveAsync(Grains, ids);
        }

        Assert.Equal([stays], active);
        // Coming back reads the record as it was left: no seat, the game played and won.
        var stats = await Grains.GetGrain<IPlayerGrain>(gone).GetStats();
        Assert.Equal((null, 1, 1), (stats.RoomId, stats.GamesPlayed, stats.GamesWon));
    }

    /// <summary>Seats two players at a new table and deals; the second walks away and the first wins. Returns the winner.</summary>
    private async Task<(string Winner, string RoomId)> WinByWalkoverAsync()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
        var (winner, walker) = (players[0].GetPrimaryKeyString(), players[1].GetPrimaryKeyString());
        var table = Grains.GetGrain<ITableGrain>(roomId);
        Assert.True((await table.Start(winner)).IsOk);
        await table.Unfollow($"edge-{Guid.NewGuid():N}", [walker]);
        await TableGrainTests.WaitForAsync(async () => (await table.GetView(winner)).Value! is { Phase: Phases.Finished } view && view.Winner == winner);
        return (winner, roomId);
    }
}
