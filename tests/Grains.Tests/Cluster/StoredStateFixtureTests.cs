using System.Text.Json;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using StackExchange.Redis;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// State stored by an earlier version loads and plays on: the records under <c>Fixtures/v1</c> are exactly what the
/// Redis storage wrote for a mid-game table and its players (see <c>Fixtures/README.md</c>). They are written into
/// Redis as that version stored them, and the current grains must pick the game up where it was.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StoredStateFixtureTests(ClusterFixture fixture)
{
    private const string RoomId = "rypg5c2twu9";

    [Fact]
    public async Task A_mid_game_table_stored_by_version_1_loads_and_plays_to_the_end()
    {
        var stored = await StoreFixtureAsync("v1");
        var tableJson = JsonDocument.Parse(stored.Table).RootElement;
        var game = tableJson.GetProperty("Game");
        var storedSeq = tableJson.GetProperty("Seq").GetInt64();
        var toMove = game.GetProperty("Turn").GetString()!;
        var hands = game.GetProperty("Hands").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(c => c.GetString()!).ToList());
        var stockTop = game.GetProperty("Stock").EnumerateArray().Last().GetString()!;
        var players = hands.Keys.Select(id => fixture.Grains.GetGrain<IPlayerGrain>(id)).ToArray();

        // The player records and the table agree on where each player sits.
        foreach (var player in players)
        {
            var name = JsonDocument.Parse(stored.Players[player.GetPrimaryKeyString()]).RootElement.GetProperty("Name").GetString()!;
            Assert.Equal(RoomId, (await player.SignIn(name)).RoomId);
        }

        // The stored turn started long ago, so the reloaded turn timer takes a card for the player to move at once:
        // the top of the stored stock, as event seq + 1.
        var table = fixture.Grains.GetGrain<ITableGrain>(RoomId);
        var view = await WaitForSeqAsync(table, storedSeq + 1);
        Assert.Equal(Phases.Playing, view.Phase);
        Assert.Equal(hands.Keys, view.Players.Select(p => p.PlayerId));
        foreach (var player in players)
        {
            var id = player.GetPrimaryKeyString();
            var expected = id == toMove ? [.. hands[id], stockTop] : hands[id];
            Assert.Equal(expected, (await fixture.Grains.GetGrain<ITableGrain>(RoomId).GetView(player.GetPrimaryKeyString())).Value!.Hand);
        }

        var resumed = await fixture.Grains.GetGrain<ITableGrain>(RoomId).Resume(players.Single(p => p.GetPrimaryKeyString() == toMove).GetPrimaryKeyString(), storedSeq);
        var auto = Assert.Single(resumed.Value!.Events!);
        Assert.Equal((EventKinds.Took, toMove, true, stockTop), (auto.Kind, auto.PlayerId, auto.Auto == true, auto.Card));

        // A move id remembered in the stored state is still recognised: the resend changes nothing.
        var (lastMover, lastMoveId) = tableJson.GetProperty("AppliedMoves").EnumerateObject()
            .Select(p => (p.Name, p.Value.EnumerateArray().Last().GetString()!)).OrderBy(m => m.Item2).Last();
        var resent = await table.Take(lastMover, lastMoveId);
        Assert.True(resent.IsOk, resent.Error?.Text);
        Assert.Equal(storedSeq + 1, resent.Value!.Seq);

        var end = await GameDriver.PlayToEndAsync(fixture.Grains, RoomId);
        Assert.Equal(Phases.Finished, end.Phase);
        // The player records count the game (the table tells them one way, after the last move's answer).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var stats = await Task.WhenAll(players.Select(p => p.GetStats()));
        while (stats.Any(s => s.GamesPlayed == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            stats = await Task.WhenAll(players.Select(p => p.GetStats()));
        }

        Assert.All(stats, s => Assert.Equal(1, s.GamesPlayed));
        Assert.Equal(1, stats.Sum(s => s.GamesWon));
    }

    /// <summary>Writes the fixture's records into Redis under this cluster's keys, as the Redis storage lays them out.</summary>
    private async Task<(string Table, Dictionary<string, string> Players)> StoreFixtureAsync(string version)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", version);
        var table = await File.ReadAllTextAsync(Path.Combine(directory, $"table-{RoomId}.json"));
        var players = new Dictionary<string, string>();
        foreach (var file in Directory.GetFiles(directory, "player-*.json"))
        {
            players[Path.GetFileNameWithoutExtension(file)["player-".Length..]] = await File.ReadAllTextAsync(file);
        }

        var db = await fixture.Redis.DatabaseAsync();
        await WriteAsync(db, $"{fixture.ServiceId}/state/table/{RoomId}/table", table);
        foreach (var (playerId, json) in players)
        {
            await WriteAsync(db, $"{fixture.ServiceId}/state/player/{playerId}/player", json);
        }

        return (table, players);
    }

    private static Task WriteAsync(IDatabase db, string key, string data) =>
        db.HashSetAsync(key, [new HashEntry("data", data), new HashEntry("etag", "fixture-" + Guid.NewGuid().ToString("N"))]);

    private static async Task<TableView> WaitForSeqAsync(ITableGrain table, long seq)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var view = (await table.GetView("observer")).Value!;
            if (view.Seq >= seq || DateTime.UtcNow > deadline)
            {
                Assert.Equal(seq, view.Seq);
                return view;
            }

            await Task.Delay(50);
        }
    }
}
