using System.Globalization;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// The way past one Redis (docs/scaling.md): silos store their grains and keep their membership on a Redis Cluster of
/// three masters. A silo is killed; its tables come back on the other silo with every acknowledged move.
/// </summary>
public sealed class RedisClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Tables = 8;
    private const int MovesPerTable = 12;

    private ProcessTopology _topology = null!;

    // No turn timer moves for a player during the test: a table whose players waited 30 s (the default) while the other
    // tables played, on a machine at load average 50, got a timed-out move, one event past its last acknowledged one.
    public async Task InitializeAsync() => _topology = await ProcessTopology.StartOnRedisClusterAsync(silos: 2, edges: 1,
        gameSettings: new Dictionary<string, string?> { ["Game:TurnTimeoutSeconds"] = "600" });

    public async Task DisposeAsync() => await _topology.DisposeAsync();

    [Fact]
    public async Task Tables_on_a_Redis_Cluster_come_back_with_every_acknowledged_move_after_a_silo_is_killed()
    {
        var url = _topology.Edges[0].Url;
        var tables = new List<(string RoomId, GameBot[] Bots)>();
        for (var t = 0; t < Tables; t++)
        {
            var bots = new[] { await GameBot.ConnectAsync(url, $"a{t}"), await GameBot.ConnectAsync(url, $"b{t}") };
            var room = await bots[0].Connection.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"cluster {t}", 2));
            foreach (var bot in bots)
            {
                await bot.Connection.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            }

            await bots[0].Connection.InvokeAsync<TableView>("StartGame", room.RoomId);
            tables.Add((room.RoomId, bots));
        }

        // Every move's answer is its acknowledgment: the last one each player got is what must survive.
        var acknowledged = new Dictionary<string, TableView>();
        foreach (var (roomId, bots) in tables)
        {
            for (var m = 0; m < MovesPerTable; m++)
            {
                var view = await bots[0].GetTableAsync(roomId);
                if (view.Phase != Phases.Playing)
                {
                    break;
                }

                var mover = bots.Single(b => b.PlayerId == view.Turn);
                var answer = await mover.PlayIfMyTurnAsync(roomId) ?? throw new InvalidOperationException("the bot to move did not move");
                acknowledged[mover.PlayerId] = answer;
            }
        }

        // The data is spread over the masters, and the silo to kill hosts some of the tables.
        var keys = await _topology.RedisCluster.KeysPerMasterAsync();
        output.WriteLine("keys per master: " + string.Join(", ", keys.Select(k => $"{k.Key}: {k.Value}")));
        Assert.True(keys.Values.Count(n => n > 0) >= 2, "the grains' state should spread over the cluster's masters");
        var victim = _topology.Silos[0];
        var onVictim = await ActiveTablesAsync(victim);
        output.WriteLine($"tables active on {victim.Name} before it is killed: {onVictim}");
        Assert.True(onVictim > 0, $"{victim.Name} hosts none of the {Tables} tables: nothing to prove");

        victim.Kill();
        var killed = global::System.Diagnostics.Stopwatch.StartNew();

        foreach (var (roomId, bots) in tables)
        {
            var view = await RetryUntilAvailableAsync(() => bots[0].GetTableAsync(roomId), TimeSpan.FromSeconds(120));
            var last = bots.Select(b => acknowledged.GetValueOrDefault(b.PlayerId)).Where(v => v is not null).MaxBy(v => v!.Seq)!;
            Assert.Equal(last.Seq, view.Seq);
            foreach (var bot in bots)
            {
                var mine = await RetryUntilAvailableAsync(() => bot.GetTableAsync(roomId), TimeSpan.FromSeconds(30));
                var stored = await StoredTable.ReadAsync(await _topology.RedisCluster.ConnectAsync(), roomId);
                Assert.Equal(mine.Seq, stored.Seq);
                Assert.Equal(stored.Hands[bot.PlayerId].Order(), (mine.Hand ?? []).Order());
            }
        }

        output.WriteLine($"every table answered again {killed.ElapsedMilliseconds} ms after the kill");
        Assert.True(await ActiveTablesAsync(_topology.Silos[1]) >= Tables, "the surviving silo should host every table now");

        // And the games go on to their end, every card of the deck exactly once in storage.
        foreach (var (roomId, bots) in tables)
        {
            var end = await GameBot.PlayToEndAsync(bots, roomId);
            Assert.Equal(Phases.Finished, end.Phase);
            var stored = await StoredTable.ReadAsync(await _topology.RedisCluster.ConnectAsync(), roomId);
            Assert.Equal(end.Seq, stored.Seq);
            Assert.Equal(52, stored.AllCards.Distinct().Count());
            Assert.Equal(52, stored.AllCards.Count());
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }

    /// <summary>Calls until the cluster answers: until the dead silo is declared dead, calls may fail with unavailable.</summary>
    private async Task<T> RetryUntilAvailableAsync<T>(Func<Task<T>> call, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (HubException ex) when (ex.Message.StartsWith(ErrorCodes.Unavailable + ": ", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                output.WriteLine(ex.Message.Split('\n')[0]);
                await Task.Delay(500);
            }
        }
    }

    private static async Task<double> ActiveTablesAsync(ServerProcess silo)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(silo.Url + "/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("cardgame_tables_active{", StringComparison.Ordinal) || l.StartsWith("cardgame_tables_active ", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.IndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }
}
