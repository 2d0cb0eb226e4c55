using CardGame.Grains.Rules;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Rules;

public sealed class DealTests
{
    [Theory]
    [InlineData(2, 7)]
    [InlineData(3, 5)]
    [InlineData(4, 5)]
    [InlineData(5, 5)]
    [InlineData(6, 5)]
    public void Deal_gives_seven_cards_each_to_two_players_and_five_to_three_to_six(int players, int handSize)
    {
        var game = CrazyEights.Deal(Players(players), Seed(42));

        Assert.Equal(Players(players), game.Players);
        Assert.All(game.Players, player => Assert.Equal(handSize, game.Hands[player].Count));
        Assert.Single(game.DiscardPile);
        Assert.Equal(52 - players * handSize - 1, game.Stock.Count);
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Deal_starts_with_the_first_player_and_the_suit_of_the_first_discard()
    {
        var game = CrazyEights.Deal(["carol", "alice", "bob"], Seed(7));

        Assert.Equal("carol", game.Turn);
        Assert.Equal(game.TopCard!.Value.Suit, game.SuitToFollow);
        Assert.False(game.IsFinished);
        Assert.Null(game.Winner);
    }

    [Fact]
    public void Deal_with_the_same_seed_deals_the_same_game()
    {
        for (ulong seed = 0; seed < 50; seed++)
        {
            Assert.Equal(Snapshot(CrazyEights.Deal(Players(4), Seed(seed))), Snapshot(CrazyEights.Deal(Players(4), Seed(seed))));
        }
    }

    [Fact]
    public void Deal_with_different_seeds_deals_different_games()
    {
        var seeds = Enumerable.Range(0, 2000).Select(i => (ulong)i).Append(ulong.MaxValue).Append(0x9E3779B97F4A7C15UL);
        var deals = seeds.Select(seed => CardsInOrder(CrazyEights.Deal(Players(2), Seed(seed)))).ToList();

        Assert.Equal(deals.Count, deals.Distinct().Count());
    }

    [Fact]
    public void The_first_discard_is_never_an_eight()
    {
        var buried = 0;
        for (var players = 2; players <= 6; players++)
        {
            for (ulong seed = 0; seed < 4000; seed++)
            {
                var game = CrazyEights.Deal(Players(players), Seed(seed));
                Assert.NotEqual(Rank.Eight, game.TopCard!.Value.Rank);
                buried += game.Stock[0].Rank == Rank.Eight ? 1 : 0;
            }
        }

        // An 8 lies at the bottom in about 4/52 of the deals by chance alone; burying adds some 4/52 more.
        Assert.InRange(buried, 20_000 * 5 / 52, 20_000 * 10 / 52);
    }

    [Fact]
    public void An_eight_turned_up_is_buried_at_the_bottom_of_the_stock_and_the_next_card_turned()
    {
        // Bottom first: 14 cards are dealt from the top, then 8C and 8D are turned up and buried, then 5H starts.
        var dealt = Cards("AC 2C 3C 4C 5C 6C 7C 9C 10C JC QC KC AD 2D");
        var rest = Card.FullDeck.Except(dealt).Except(Cards("8C 8D 5H"));
        var deck = rest.Concat(Cards("5H 8D 8C")).Concat(Enumerable.Reverse(dealt)).ToList();

        var game = CrazyEights.DealFrom(Players(2), deck, Seed(1));

        Assert.Equal(Cards("5H"), game.DiscardPile);
        Assert.Equal(Suit.Hearts, game.SuitToFollow);
        Assert.Equal(Cards("8D 8C"), game.Stock.Take(2));
        Assert.Equal(rest, game.Stock.Skip(2));
        AssertEveryCardOnce(game);
    }

    [Fact]
    public void Cards_are_dealt_one_at_a_time_round_the_table_from_the_top()
    {
        var deck = Card.FullDeck.ToList(); // the top is the last: KS, QS, JS, ...

        var game = CrazyEights.DealFrom(Players(3), deck, Seed(1));

        Assert.Equal(Cards("KS 10S 7S 4S AS"), game.Hands["p1"]);
        Assert.Equal(Cards("QS 9S 6S 3S KH"), game.Hands["p2"]);
        Assert.Equal(Cards("JS 8S 5S 2S QH"), game.Hands["p3"]);
        Assert.Equal(Cards("JH"), game.DiscardPile);
        Assert.Equal(deck.Take(36), game.Stock);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Deal_needs_two_to_six_players(int players)
    {
        Assert.Throws<ArgumentException>(() => CrazyEights.Deal(Players(players), Seed(1)));
    }

    [Fact]
    public void Deal_needs_distinct_non_empty_player_ids()
    {
        Assert.Throws<ArgumentException>(() => CrazyEights.Deal(["p1", "p2", "p1"], Seed(1)));
        Assert.Throws<ArgumentException>(() => CrazyEights.Deal(["p1", ""], Seed(1)));
        Assert.Throws<ArgumentException>(() => CrazyEights.Deal(["p1", null!], Seed(1)));
    }

    [Fact]
    public void DealFrom_needs_each_of_the_52_cards_once()
    {
        var deck = Card.FullDeck.ToList();
        deck[0] = deck[1];

        Assert.Throws<ArgumentException>(() => CrazyEights.DealFrom(Players(2), deck, Seed(1)));
        Assert.Throws<ArgumentException>(() => CrazyEights.DealFrom(Players(2), Card.FullDeck.Skip(1).ToList(), Seed(1)));
    }

    [Fact]
    public void A_rematch_deals_a_fresh_game_to_the_same_players_after_a_finished_one()
    {
        var first = CrazyEights.Deal(["ann", "bob", "cid"], Seed(3));
        PlayToTheEnd(first, new Random(3));
        var finished = Snapshot(first);

        var rematch = CrazyEights.Deal(first.Players, Seed(4));

        Assert.True(first.IsFinished);
        Assert.Equal(finished, Snapshot(first));
        Assert.False(rematch.IsFinished);
        Assert.Equal(["ann", "bob", "cid"], rematch.Players);
        Assert.Equal("ann", rematch.Turn);
        Assert.All(rematch.Players, player => Assert.Equal(5, rematch.Hands[player].Count));
        AssertEveryCardOnce(rematch);
        Assert.True(CrazyEights.Take(rematch, "ann").IsOk);
    }

    private static string CardsInOrder(CrazyEightsGame game) =>
        string.Join(' ', game.Players.SelectMany(player => game.Hands[player]).Concat(game.Stock).Concat(game.DiscardPile));
}
