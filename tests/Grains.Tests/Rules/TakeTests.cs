using CardGame.Contracts.Fairness;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Rules;

public sealed class TakeTests
{
    [Fact]
    public void Take_gives_the_top_card_of_the_stock_and_ends_the_turn()
    {
        var game = CrazyEights.Deal(Players(3), Seed(11));
        var top = game.Stock[^1];
        var stockCount = game.Stock.Count;

        var result = CrazyEights.Take(game, "p1");

        Assert.True(result.IsOk);
        Assert.Equal(top, result.Card);
        Assert.False(result.Passed);
        Assert.False(result.Reshuffled);
        Assert.Equal(top, game.Hands["p1"][^1]);
        Assert.Equal(6, game.Hands["p1"].Count);
        Assert.Equal(stockCount - 1, game.Stock.Count);
        Assert.Equal("p2", game.Turn);
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Take_by_the_last_seat_passes_the_turn_to_the_first()
    {
        var game = CrazyEights.Deal(Players(3), Seed(11));

        Assert.True(CrazyEights.Take(game, "p1").IsOk);
        Assert.True(CrazyEights.Take(game, "p2").IsOk);
        Assert.True(CrazyEights.Take(game, "p3").IsOk);
        Assert.Equal("p1", game.Turn);
    }

    [Fact]
    public void Take_is_allowed_while_holding_a_legal_card()
    {
        var game = Position("7C", "3D", "2C", "9S");

        Assert.True(CrazyEights.Take(game, "p1").IsOk);
        Assert.Equal(Cards("2C 3D"), game.Hands["p1"]);
    }

    [Theory]
    [InlineData("p2", ErrorCodes.NotYourTurn)]
    [InlineData("ghost", ErrorCodes.NotSeated)]
    public void A_rejected_take_changes_nothing(string player, string code)
    {
        var game = CrazyEights.Deal(Players(2), Seed(5));
        var before = Snapshot(game);

        var result = CrazyEights.Take(game, player);

        Assert.Equal(code, result.Error?.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error?.Text));
        Assert.Equal(before, Snapshot(game));
    }

    [Fact]
    public void Take_from_an_empty_stock_first_shuffles_the_discard_pile_but_its_top_card_into_the_stock()
    {
        var game = Position("3C 5C 9C JC KD", "", "2H", "4H");

        var result = CrazyEights.Take(game, "p1");

        Assert.True(result.IsOk);
        Assert.True(result.Reshuffled);
        Assert.False(result.Passed);
        Assert.Equal(Cards("KD"), game.DiscardPile);
        Assert.Equal(Suit.Diamonds, game.SuitToFollow);
        Assert.Contains(result.Card!.Value, Cards("3C 5C 9C JC"));
        Assert.Equal(Cards("2H").Append(result.Card.Value), game.Hands["p1"]);
        Assert.Equal(Cards("3C 5C 9C JC"), Sorted(game.Stock.Append(result.Card.Value)));
        Assert.Equal(1, game.Reshuffles);
        Assert.Equal("p2", game.Turn);
    }

    [Fact]
    public void A_reshuffle_is_the_fair_shuffle_of_the_pile_keyed_by_the_seed_and_its_number()
    {
        var pile = Card.FullDeck.Take(30).ToList();
        var game = Position(string.Join(' ', pile), "", "KS", "QS");
        var seed = Convert.FromHexString(game.Seed!);

        var first = CrazyEights.Take(game, "p1");
        var expected = pile.SkipLast(1).ToList();
        FairShuffle.Shuffle(expected, seed, "reshuffle:1");
        Assert.Equal(expected[^1], first.Card);
        Assert.Equal(expected.SkipLast(1), game.Stock);

        // The next time the stock runs out (cards nobody holds yet were put meanwhile), the second reshuffle has its own label.
        game.Stock.Clear();
        game.DiscardPile.Clear();
        game.DiscardPile.AddRange(Cards("5H 6H 7H 9H"));
        var second = CrazyEights.Take(game, game.Turn!);
        expected = Cards("5H 6H 7H");
        FairShuffle.Shuffle(expected, seed, "reshuffle:2");
        Assert.True(second.Reshuffled);
        Assert.Equal(2, game.Reshuffles);
        Assert.Equal(expected.SkipLast(1), game.Stock);
        Assert.Equal(expected[^1], second.Card);
    }

    [Fact]
    public void A_game_stored_before_the_fair_shuffle_reshuffles_with_its_own_generator()
    {
        var game = Position("3C 5C 9C JC KD", "", "2H", "4H");
        game.Seed = null;
        game.RngState = 0x5EED;

        var result = CrazyEights.Take(game, "p1");

        Assert.True(result.Reshuffled);
        Assert.NotEqual(0x5EEDUL, game.RngState);
        Assert.Equal(0, game.Reshuffles);
        Assert.Equal(Cards("3C 5C 9C JC"), Sorted(game.Stock.Append(result.Card!.Value)));
    }

    [Fact]
    public void A_reshuffle_keeps_the_suit_named_with_an_eight_on_top()
    {
        var game = Position("3C 5C 8H", "", "2H", "4H");
        game.SuitToFollow = Suit.Spades;

        Assert.True(CrazyEights.Take(game, "p1").Reshuffled);
        Assert.Equal(Cards("8H"), game.DiscardPile);
        Assert.Equal(Suit.Spades, game.SuitToFollow);
    }

    [Fact]
    public void A_reshuffle_depends_only_on_the_game_state()
    {
        var pile = string.Join(' ', Card.FullDeck.Take(30));
        var games = Enumerable.Range(0, 3).Select(_ => Position(pile, "", "KS", "QS")).ToList();
        games[2].Seed = Convert.ToHexStringLower(Seed(0x5EEE));

        foreach (var game in games)
        {
            Assert.True(CrazyEights.Take(game, "p1").Reshuffled);
        }

        Assert.Equal(Snapshot(games[0]), Snapshot(games[1]));
        Assert.NotEqual(games[0].Stock, games[2].Stock);
    }

    [Fact]
    public void Take_when_the_stock_and_the_discard_pile_below_the_top_are_empty_passes_the_turn()
    {
        var game = Position("7C", "", "2H", "4H");

        var result = CrazyEights.Take(game, "p1");

        Assert.True(result.IsOk);
        Assert.True(result.Passed);
        Assert.False(result.Reshuffled);
        Assert.Null(result.Card);
        Assert.Equal(Cards("2H"), game.Hands["p1"]);
        Assert.Equal(Cards("7C"), game.DiscardPile);
        Assert.Empty(game.Stock);
        Assert.Equal("p2", game.Turn);
    }
}
