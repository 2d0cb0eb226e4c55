using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Lobby;

namespace CardGame.LoadTest.Tests;

public sealed class LobbyMeasureTests
{
    [Fact]
    public void A_miss_counts_above_every_delivery_so_a_percentile_that_falls_on_one_is_a_miss()
    {
        // 97 deliveries of 1..97 ms and 3 misses: the median is a delivery, the 99th percentile and the max are misses.
        var latency = LobbyLatency.Of([.. Enumerable.Range(1, 97).Select(i => (double)i)], misses: 3);

        Assert.Equal(51, latency.P50);
        Assert.Equal(91, latency.P90);
        Assert.Null(latency.P99);
        Assert.Null(latency.Max);
    }

    [Fact]
    public void Without_misses_the_max_is_the_slowest_delivery()
    {
        var latency = LobbyLatency.Of([30, 10, 20], misses: 0);

        Assert.Equal(20, latency.P50);
        Assert.Equal(30, latency.Max);
    }

    [Fact]
    public void A_round_counts_only_the_state_it_sent_and_completes_when_every_watcher_has_every_change()
    {
        var changed = new RoomInfo("r1", "lobby", 6, 2, Phases.Waiting);
        var round = new LobbyRound([changed, changed with { RoomId = "r2" }], watchers: 2);

        Assert.Equal(0, round.IndexOf(changed));
        Assert.Equal(1, round.IndexOf(changed with { RoomId = "r2" }));
        Assert.Equal(-1, round.IndexOf(changed with { Players = 1 }));
        Assert.Equal(-1, round.IndexOf(changed with { RoomId = "r3" }));
        for (var i = 0; i < 3; i++)
        {
            round.Delivered();
        }

        Assert.False(round.Complete.IsCompleted);
        round.Delivered();
        Assert.True(round.Complete.IsCompleted);
    }
}
