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

    private async Task<List<string>> ActiveAsync(string[] playerIds)
    {
        var activations = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return [.. activations.Select(a => a.GrainId.Key.ToString()).Where(playerIds.Contains)];
    }
}
