using CardGame.Grains;

namespace CardGame.Grains.Tests.Rooms;

public sealed class RoomDirectoryFlushTests
{
    private static readonly DateTimeOffset Boundary = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 249)]
    [InlineData(100, 150)]
    [InlineData(249, 1)]
    [InlineData(250, 250)]
    [InlineData(400, 100)]
    public void Every_shard_flushes_on_the_next_250_ms_boundary_of_the_clock(int msAfterBoundary, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RoomDirectoryGrain.UntilNextFlush(Boundary.AddMilliseconds(msAfterBoundary)));
    }

    [Fact]
    public void Shards_that_start_at_different_moments_flush_at_the_same_moments()
    {
        var one = Boundary.AddMilliseconds(30);
        var other = Boundary.AddMilliseconds(170.5);

        Assert.Equal(one + RoomDirectoryGrain.UntilNextFlush(one), other + RoomDirectoryGrain.UntilNextFlush(other));
    }

    [Fact]
    public void A_boundary_less_than_a_millisecond_away_is_skipped_for_the_next()
    {
        Assert.Equal(RoomDirectoryGrain.FlushInterval, RoomDirectoryGrain.UntilNextFlush(Boundary));
        Assert.Equal(RoomDirectoryGrain.FlushInterval + TimeSpan.FromMilliseconds(0.5),
            RoomDirectoryGrain.UntilNextFlush(Boundary.AddMilliseconds(249.5)));
    }
}
