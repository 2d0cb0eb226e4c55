using CardGame.Contracts.Grains;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// A seated player's grain leaves memory after each call (the player's moves, views and presence go to the table), so
/// idle seated players cost the silo no player activation; the next call reads the record back.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PlayerMemoryTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_seated_players_grain_leaves_memory_after_the_call_and_an_unseated_ones_stays()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var seated = players.Select(p => p.GetPrimaryKeyString()).ToArray();
        var lobby = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        await lobby.SignIn("in the lobby");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var active = await ActiveAsync([.. seated, lobby.GetPrimaryKeyString()]);
        while (active.Intersect(seated).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"seated players still in memory 30 s after their last call: {string.Join(", ", active)}");
            await Task.Delay(100);
            active = await ActiveAsync([.. seated, lobby.GetPrimaryKeyString()]);
        }

        Assert.Equal([lobby.GetPrimaryKeyString()], active);
        // The next call reads the record back.
        var stats = await players[1].GetStats();
        Assert.Equal((roomId, "player1"), (stats.RoomId, stats.Name));
    }

    [Fact]
    public async Task A_player_whose_game_finished_keeps_the_grain_for_the_next_game_while_a_seated_idle_ones_leaves()
    {
        var (roomId, playing) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
        var (_, idle) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
        var table = Grains.GetGrain<ITableGrain>(roomId);
        Assert.True((await table.Start(playing[0].GetPrimaryKeyString())).IsOk);
        await GameDriver.PlayToEndAsync(Grains, roomId);

        // The table tells each player's grain of the game's end one-way: wait until both have counted it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await Task.WhenAll(playing.Select(p => p.GetStats()))).Any(s => s.GamesPlayed != 1))
        {
            Assert.True(DateTime.UtcNow < deadline, "the game's end did not reach both players' grains within 30 s");
            await Task.Delay(100);
        }

        // Seated players who have not played leave memory after their calls; once they have gone, so would a playing
        // player's grain that left too (its last call came first).
        await Task.WhenAll(idle.Select(p => p.GetStats()));
        string[] ids = [.. playing.Concat(idle).Select(p => p.GetPrimaryKeyString())];
        var idleIds = idle.Select(p => p.GetPrimaryKeyString()).ToArray();
        var active = await ActiveAsync(ids);
        while (active.Intersect(idleIds).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"seated idle players still in memory 30 s after their last call: {string.Join(", ", active)}");
            await Task.Delay(100);
            active = await ActiveAsync(ids);
        }

        Assert.Equal(playing.Select(p => p.GetPrimaryKeyString()).Order(), active.Order());

        // The next game's end is counted too.
        Assert.True((await table.Start(playing[1].GetPrimaryKeyString())).IsOk);
        await GameDriver.PlayToEndAsync(Grains, roomId);
        while ((await Task.WhenAll(playing.Select(p => p.GetStats()))).Any(s => s.GamesPlayed != 2))
        {
            Assert.True(DateTime.UtcNow < deadline + TimeSpan.FromSeconds(30), "the second game's end did not reach both players' grains");
            await Task.Delay(100);
        }
    }

    private Task<List<string>> ActiveAsync(string[] playerIds) => ActiveAsync(Grains, playerIds);

    /// <summary>Which of these players' grains are in memory on any silo (Orleans' management grain).</summary>
    internal static async Task<List<string>> ActiveAsync(IGrainFactory grains, string[] playerIds)
    {
        var activations = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return [.. activations.Select(a => a.GrainId.Key.ToString()).Where(playerIds.Contains)];
    }
}
