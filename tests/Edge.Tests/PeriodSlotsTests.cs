using CardGame.Edge.Delivery;

namespace CardGame.Edge.Tests;

/// <summary>Work repeated for every key once a period is spread evenly over the period, each key once.</summary>
public sealed class PeriodSlotsTests
{
    [Fact]
    public void Over_one_period_every_key_comes_once_and_no_tick_takes_much_more_than_its_share()
    {
        var random = new Random(12);
        var keys = Enumerable.Range(0, 2_000).Select(_ => Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))).ToList();
        var slots = new PeriodSlots(TimeSpan.FromSeconds(20));

        var ticks = Enumerable.Range(0, PeriodSlots.Count).Select(_ => slots.Next(keys).ToList()).ToList();

        Assert.Equal(TimeSpan.FromSeconds(1), slots.Tick);
        Assert.Equal(keys.Order(), ticks.SelectMany(t => t).Order());
        var share = keys.Count / PeriodSlots.Count;
        Assert.All(ticks, tick => Assert.InRange(tick.Count, share / 2, share * 3 / 2));
        // The next period goes over the same keys in the same order of slots.
        Assert.Equal(ticks[0], slots.Next(keys));
    }
}
