using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Rules;

public sealed class PutTests
{
    // p1 to move on 7C; p2 and p3 wait.
    private static CrazyEightsGame Game() => Position("2D 7C", "3D 4D", "8H 5D 7H 2C QS", "9S 3H", "KD 6C");

    [Fact]
    public void Put_of_a_card_of_the_same_rank_is_accepted_and_its_suit_is_followed()
    {
        var game = Game();

        var result = CrazyEights.Put(game, "p1", "7H", null);

        Assert.True(result.IsOk);
        Assert.Equal(ParseCard("7H"), result.Card);
        Assert.Equal(Cards("2D 7C 7H"), game.DiscardPile);
        Assert.Equal(Suit.Hearts, game.SuitToFollow);
        Assert.Equal(Cards("8H 5D 2C QS"), game.Hands["p1"]);
        Assert.Equal("p2", game.Turn);
    }

    [Fact]
    public void Put_of_a_card_of_the_suit_to_follow_is_accepted()
    {
        var game = Game();

        Assert.True(CrazyEights.Put(game, "p1", "2C", null).IsOk);
        Assert.Equal(ParseCard("2C"), game.TopCard);
        Assert.Equal(Suit.Clubs, game.SuitToFollow);
    }

    [Fact]
    public void Put_of_a_card_matching_neither_rank_nor_suit_is_illegal_and_changes_nothing()
    {
        var game = Game();
        var before = Snapshot(game);

        var result = CrazyEights.Put(game, "p1", "5D", null);

        Assert.Equal(ErrorCodes.IllegalCard, result.Error?.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error?.Text));
        Assert.Equal(before, Snapshot(game));
    }

    [Theory]
    [InlineData("S", Suit.Spades)]
    [InlineData("H", Suit.Hearts)]
    [InlineData("D", Suit.Diamonds)]
    public void Put_of_an_eight_is_always_legal_and_names_the_suit_to_follow(string suit, Suit expected)
    {
        var game = Game();

        var result = CrazyEights.Put(game, "p1", "8H", suit);

        Assert.True(result.IsOk);
        Assert.Equal(ParseCard("8H"), game.TopCard);
        Assert.Equal(expected, game.SuitToFollow);
        Assert.Equal("p2", game.Turn);
    }

    [Fact]
    public void After_an_eight_the_named_suit_is_followed_not_the_eights_own_suit()
    {
        var game = Game();
        Assert.True(CrazyEights.Put(game, "p1", "8H", "S").IsOk);
        var before = Snapshot(game);

        Assert.False(CrazyEights.IsLegal(game, ParseCard("3H")));
        Assert.Equal(ErrorCodes.IllegalCard, CrazyEights.Put(game, "p2", "3H", null).Error?.Code);
        Assert.Equal(before, Snapshot(game));

        Assert.True(CrazyEights.IsLegal(game, ParseCard("9S")));
        Assert.True(CrazyEights.Put(game, "p2", "9S", null).IsOk);
        Assert.Equal(Suit.Spades, game.SuitToFollow);
    }

    [Fact]
    public void After_an_eight_another_eight_may_be_put_with_any_suit()
    {
        var game = Position("8H", "", "8C 2D", "5S");
        game.SuitToFollow = Suit.Spades;

        Assert.True(CrazyEights.Put(game, "p1", "8C", "H").IsOk);
        Assert.Equal(Suit.Hearts, game.SuitToFollow);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Put_of_an_eight_without_a_suit_is_rejected_with_suit_required(string? suit)
    {
        var game = Game();
        var before = Snapshot(game);

        Assert.Equal(ErrorCodes.SuitRequired, CrazyEights.Put(game, "p1", "8H", suit).Error?.Code);
        Assert.Equal(before, Snapshot(game));
    }

    [Theory]
    [InlineData("X")]
    [InlineData("h")]
    [InlineData("Hearts")]
    [InlineData(" ")]
    public void Put_of_an_eight_with_an_unknown_suit_is_a_bad_request(string suit)
    {
        var game = Game();
        var before = Snapshot(game);

        Assert.Equal(ErrorCodes.BadRequest, CrazyEights.Put(game, "p1", "8H", suit).Error?.Code);
        Assert.Equal(before, Snapshot(game));
    }

    [Fact]
    public void Put_of_a_card_other_than_an_eight_with_a_suit_is_a_bad_request()
    {
        var game = Game();
        var before = Snapshot(game);

        Assert.Equal(ErrorCodes.BadRequest, CrazyEights.Put(game, "p1", "7H", "H").Error?.Code);
        Assert.Equal(before, Snapshot(game));
    }

    [Fact]
    public void Put_of_a_card_other_than_an_eight_with_an_empty_suit_is_a_plain_put()
    {
        var game = Game();

        Assert.True(CrazyEights.Put(game, "p1", "7H", "").IsOk);
        Assert.Equal(Suit.Hearts, game.SuitToFollow);
    }

    [Fact]
    public void Put_out_of_turn_is_rejected_and_changes_nothing()
    {
        var game = Game();
        var before = Snapshot(game);

        var result = CrazyEights.Put(game, "p3", "6C", null);

        Assert.Equal(ErrorCodes.NotYourTurn, result.Error?.Code);
        Assert.Equal("it is p1's turn", result.Error?.Text);
        Assert.Equal(before, Snapshot(game));
    }

    [Fact]
    public void Put_moves_the_turn_round_the_table_in_seat_order()
    {
        var game = Position("7C", "", "2C 3C", "4C 5C", "6C 9C");

        Assert.True(CrazyEights.Put(game, "p1", "2C", null).IsOk);
        Assert.Equal("p2", game.Turn);
        Assert.True(CrazyEights.Put(game, "p2", "4C", null).IsOk);
        Assert.Equal("p3", game.Turn);
        Assert.True(CrazyEights.Put(game, "p3", "6C", null).IsOk);
        Assert.Equal("p1", game.Turn);
    }

    [Fact]
    public void Putting_the_last_card_wins_the_game()
    {
        var game = Position("7C", "3D", "5C", "9S 3H");

        var result = CrazyEights.Put(game, "p1", "5C", null);

        Assert.True(result.IsOk);
        Assert.True(game.IsFinished);
        Assert.Equal("p1", game.Winner);
        Assert.Null(game.Turn);
        Assert.Empty(game.Hands["p1"]);
        Assert.Equal(ParseCard("5C"), game.TopCard);
    }

    [Fact]
    public void Putting_a_last_eight_wins_but_still_needs_a_suit()
    {
        var game = Position("7C", "3D", "8D", "9S 3H");

        Assert.Equal(ErrorCodes.SuitRequired, CrazyEights.Put(game, "p1", "8D", null).Error?.Code);
        Assert.True(CrazyEights.Put(game, "p1", "8D", "S").IsOk);
        Assert.Equal("p1", game.Winner);
        Assert.Equal(Suit.Spades, game.SuitToFollow);
    }

    [Fact]
    public void A_finished_game_rejects_puts_and_takes_with_game_not_started()
    {
        var game = Position("7C", "3D", "5C", "9S 3H");
        Assert.True(CrazyEights.Put(game, "p1", "5C", null).IsOk);
        var before = Snapshot(game);

        Assert.Equal(ErrorCodes.GameNotStarted, CrazyEights.Put(game, "p2", "9S", null).Error?.Code);
        Assert.Equal(ErrorCodes.GameNotStarted, CrazyEights.Take(game, "p2").Error?.Code);
        Assert.Equal(ErrorCodes.GameNotStarted, CrazyEights.Take(game, "p1").Error?.Code);
        Assert.Equal(ErrorCodes.GameNotStarted, CrazyEights.Put(game, "ghost", "xx", "?").Error?.Code);
        Assert.Equal(before, Snapshot(game));
    }

    // Each case breaks several rules at once: the first failing check, in the documented order, gives the code.
    [Theory]
    [InlineData("ghost", "xx", "Q", ErrorCodes.NotSeated)]
    [InlineData("ghost", "7H", null, ErrorCodes.NotSeated)]
    [InlineData("p2", "xx", "Q", ErrorCodes.NotYourTurn)]
    [InlineData("p2", "9S", null, ErrorCodes.NotYourTurn)]
    [InlineData("p1", "xx", "Q", ErrorCodes.BadRequest)]
    [InlineData("p1", null, null, ErrorCodes.BadRequest)]
    [InlineData("p1", "", null, ErrorCodes.BadRequest)]
    [InlineData("p1", "7h", null, ErrorCodes.BadRequest)]
    [InlineData("p1", "9S", "Q", ErrorCodes.CardNotInHand)]
    [InlineData("p1", "8C", null, ErrorCodes.CardNotInHand)]
    [InlineData("p1", "7C", null, ErrorCodes.CardNotInHand)]
    [InlineData("p1", "8H", null, ErrorCodes.SuitRequired)]
    [InlineData("p1", "8H", "", ErrorCodes.SuitRequired)]
    [InlineData("p1", "8H", "Q", ErrorCodes.BadRequest)]
    [InlineData("p1", "5D", "Q", ErrorCodes.BadRequest)]
    [InlineData("p1", "5D", "D", ErrorCodes.BadRequest)]
    [InlineData("p1", "5D", null, ErrorCodes.IllegalCard)]
    [InlineData("p1", "5D", "", ErrorCodes.IllegalCard)]
    public void A_rejected_put_gives_the_first_failing_check_and_changes_nothing(string player, string? card, string? suit, string code)
    {
        var game = Game();
        var before = Snapshot(game);

        var result = CrazyEights.Put(game, player, card, suit);

        Assert.Equal(code, result.Error?.Code);
        Assert.False(result.IsOk);
        Assert.False(string.IsNullOrWhiteSpace(result.Error?.Text));
        Assert.Null(result.Card);
        Assert.Equal(before, Snapshot(game));
    }

    [Fact]
    public void A_rejection_echoes_only_a_little_of_a_long_card_text()
    {
        var result = CrazyEights.Put(Game(), "p1", new string('x', 10_000), null);

        Assert.Equal(ErrorCodes.BadRequest, result.Error?.Code);
        Assert.True(result.Error?.Text!.Length < 100, result.Error?.Text);
    }

    [Fact]
    public void LegalCards_lists_the_cards_of_a_hand_that_could_be_put()
    {
        var game = Game();

        Assert.Equal(Cards("8H 7H 2C"), CrazyEights.LegalCards(game, "p1"));
        Assert.Equal(Cards("6C"), CrazyEights.LegalCards(game, "p3"));
        Assert.Empty(CrazyEights.LegalCards(game, "ghost"));
    }
}
