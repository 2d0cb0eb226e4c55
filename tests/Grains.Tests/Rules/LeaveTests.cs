using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Rules;

public sealed class LeaveTests
{
    [Fact]
    public void Leaving_mid_game_puts_the_cards_at_the_bottom_of_the_stock_and_keeps_the_turn()
    {
        var game = CrazyEights.Deal(Players(4), Seed(21));
        var hand = game.Hands["p3"].ToList();
        var stock = game.Stock.ToList();

        var result = CrazyEights.Leave(game, "p3");

        Assert.True(result.IsOk);
        Assert.Equal(["p1", "p2", "p4"], game.Players);
        Assert.False(game.Hands.ContainsKey("p3"));
        Assert.Equal(hand.Concat(stock), game.Stock);
        Assert.Equal("p1", game.Turn);
        Assert.False(game.IsFinished);
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Leaving_on_your_turn_passes_the_turn_to_the_next_player_in_seat_order()
    {
        var game = CrazyEights.Deal(Players(4), Seed(21));
        Assert.True(CrazyEights.Take(game, "p1").IsOk);

        Assert.True(CrazyEights.Leave(game, "p2").IsOk);

        Assert.Equal("p3", game.Turn);
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Leaving_on_your_turn_from_the_last_seat_passes_the_turn_to_the_first_seat()
    {
        var game = CrazyEights.Deal(Players(3), Seed(21));
        Assert.True(CrazyEights.Take(game, "p1").IsOk);
        Assert.True(CrazyEights.Take(game, "p2").IsOk);

        Assert.True(CrazyEights.Leave(game, "p3").IsOk);

        Assert.Equal("p1", game.Turn);
        Assert.Equal(["p1", "p2"], game.Players);
    }

    [Theory]
    [InlineData("p1", "p2")]
    [InlineData("p2", "p1")]
    public void When_one_player_is_left_they_win(string leaver, string winner)
    {
        var game = CrazyEights.Deal(Players(2), Seed(8));

        Assert.True(CrazyEights.Leave(game, leaver).IsOk);

        Assert.True(game.IsFinished);
        Assert.Equal(winner, game.Winner);
        Assert.Null(game.Turn);
        Assert.Equal([winner], game.Players);
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Players_leaving_one_after_another_leave_the_last_one_the_winner()
    {
        var game = CrazyEights.Deal(Players(4), Seed(8));

        Assert.True(CrazyEights.Leave(game, "p1").IsOk);
        Assert.Equal("p2", game.Turn);
        Assert.True(CrazyEights.Leave(game, "p4").IsOk);
        Assert.False(game.IsFinished);
        Assert.True(CrazyEights.Leave(game, "p2").IsOk);

        Assert.Equal("p3", game.Winner);
        Assert.Null(game.Turn);
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Leaving_a_finished_game_only_removes_the_player()
    {
        var game = Position("7C", "3D", "5C", "9S 3H", "KD");
        Assert.True(CrazyEights.Put(game, "p1", "5C", null).IsOk);

        Assert.True(CrazyEights.Leave(game, "p2").IsOk);
        Assert.True(CrazyEights.Leave(game, "p1").IsOk);

        Assert.Equal(["p3"], game.Players);
        Assert.Equal(["p3"], game.Hands.Keys);
        Assert.Equal("p1", game.Winner);
        Assert.Null(game.Turn);
        Assert.Equal(Cards("9S 3H 3D"), game.Stock);
    }

    [Fact]
    public void Leave_by_a_player_not_in_the_game_is_rejected_and_changes_nothing()
    {
        var game = CrazyEights.Deal(Players(3), Seed(2));
        Assert.True(CrazyEights.Leave(game, "p2").IsOk);
        var before = Snapshot(game);

        Assert.Equal(ErrorCodes.NotSeated, CrazyEights.Leave(game, "p2").Error?.Code);
        Assert.Equal(ErrorCodes.NotSeated, CrazyEights.Leave(game, "ghost").Error?.Code);
        Assert.Equal(ErrorCodes.NotSeated, CrazyEights.Take(game, "p2").Error?.Code);
        Assert.Equal(before, Snapshot(game));
    }
}
