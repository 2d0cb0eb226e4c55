using CardGame.LoadTest.Cli;

namespace CardGame.LoadTest.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("5s", 5)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1.5s", 1.5)]
    [InlineData("30", 30)]
    [InlineData("00:01:30", 90)]
    [InlineData("0", 0)]
    public void Reads_durations_with_units(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5x")]
    [InlineData("-1s")]
    [InlineData("fast")]
    public void Rejects_what_is_not_a_duration(string text) => Assert.False(DurationParser.TryParse(text, out _));
}
