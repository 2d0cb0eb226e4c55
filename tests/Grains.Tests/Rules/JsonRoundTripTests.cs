using System.Text.Json;
using CardGame.Grains.Rules;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Rules;

public sealed class JsonRoundTripTests
{
    public static TheoryData<string> Options => ["default", "web"];

    private static JsonSerializerOptions OptionsFor(string name) =>
        name == "web" ? new JsonSerializerOptions(JsonSerializerDefaults.Web) : JsonSerializerOptions.Default;

    [Theory]
    [MemberData(nameof(Options))]
    public void A_game_round_trips_through_json_exactly(string options)
    {
        var game = CrazyEights.Deal(["ann", "bob", "cid"], Seed(ulong.MaxValue - 3));
        Assert.True(CrazyEights.Take(game, "ann").IsOk);
        var json = JsonSerializer.Serialize(game, OptionsFor(options));

        var loaded = JsonSerializer.Deserialize<CrazyEightsGame>(json, OptionsFor(options))!;

        Assert.Equal(json, JsonSerializer.Serialize(loaded, OptionsFor(options)));
        Assert.Equal(game.Players, loaded.Players);
        Assert.Equal(game.Hands, loaded.Hands);
        Assert.Equal(game.Stock, loaded.Stock);
        Assert.Equal(game.DiscardPile, loaded.DiscardPile);
        Assert.Equal(game.SuitToFollow, loaded.SuitToFollow);
        Assert.Equal(game.Turn, loaded.Turn);
        Assert.Equal(game.Winner, loaded.Winner);
        Assert.Equal(game.Seed, loaded.Seed);
        Assert.Equal(game.Reshuffles, loaded.Reshuffles);
        Assert.Equal(game.RngState, loaded.RngState);
    }

    [Fact]
    public void Json_stores_cards_as_wire_strings_and_not_the_derived_properties()
    {
        var game = Position("7C 10H", "QS", "8C AD", "2S");

        var json = JsonSerializer.Serialize(game);

        Assert.Contains("\"DiscardPile\":[\"7C\",\"10H\"]", json);
        Assert.Contains("\"p1\":[\"8C\",\"AD\"]", json);
        Assert.DoesNotContain("IsFinished", json);
        Assert.DoesNotContain("TopCard", json);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void A_game_reloaded_from_json_continues_exactly_like_the_original_including_reshuffles(string options)
    {
        var reshuffles = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var original = CrazyEights.Deal(Players(2 + seed % 5), Seed((ulong)seed));
            var random = new Random(seed);
            while (!original.IsFinished && original.Stock.Count > 3)
            {
                Assert.True(PlayRandomMove(original, random, takeAnyway: 0.6).IsOk);
            }

            var reloaded = JsonSerializer.Deserialize<CrazyEightsGame>(JsonSerializer.Serialize(original, OptionsFor(options)), OptionsFor(options))!;
            var (randomA, randomB) = (new Random(seed + 1000), new Random(seed + 1000));
            for (var move = 0; move < 400 && !original.IsFinished; move++)
            {
                var expected = PlayRandomMove(original, randomA, takeAnyway: 0.6);
                var actual = PlayRandomMove(reloaded, randomB, takeAnyway: 0.6);

                Assert.Equal(expected, actual);
                Assert.Equal(Snapshot(original), Snapshot(reloaded));
                reshuffles += actual.Reshuffled ? 1 : 0;
            }
        }

        Assert.True(reshuffles > 0, "no reshuffle happened after a reload: the test proves nothing");
    }

    [Fact]
    public void Clone_is_a_deep_copy()
    {
        var game = CrazyEights.Deal(Players(3), Seed(9));
        var before = Snapshot(game);

        var clone = game.Clone();
        Assert.Equal(before, Snapshot(clone));
        Assert.True(CrazyEights.Take(clone, "p1").IsOk);
        Assert.True(CrazyEights.Put(clone, "p2", "xx", null) is { IsOk: false });
        clone.Hands["p3"].Clear();
        clone.Players.Add("p4");
        clone.DiscardPile.Clear();

        Assert.Equal(before, Snapshot(game));
    }
}
