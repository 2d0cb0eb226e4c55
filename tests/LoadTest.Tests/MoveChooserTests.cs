using CardGame.Contracts.Cards;
using CardGame.LoadTest.Game;

namespace CardGame.LoadTest.Tests;

public sealed class MoveChooserTests
{
    private readonly MoveChooser _chooser = new(new Random(7));

    [Fact]
    public void Takes_a_card_when_nothing_in_hand_matches()
    {
        var move = _chooser.Choose(["2C", "3C", "KD"], topCard: "5H", suitToFollow: "H");

        Assert.True(move.IsTake);
    }

    [Fact]
    public void Puts_a_card_of_the_suit_to_follow_or_the_top_cards_rank()
    {
        var move = _chooser.Choose(["2C", "5S", "KD"], topCard: "5H", suitToFollow: "H");

        Assert.Equal(new Move("5S", null), move);
    }

    [Fact]
    public void Follows_a_declared_suit_rather_than_the_eights_own_suit()
    {
        var move = _chooser.Choose(["2C", "3H", "KD"], topCard: "8H", suitToFollow: "D");

        Assert.Equal(new Move("KD", null), move);
    }

    [Fact]
    public void Plays_an_eight_only_when_nothing_else_fits_and_names_the_suit_it_holds_most()
    {
        var move = _chooser.Choose(["8C", "2D", "3D", "KS"], topCard: "5H", suitToFollow: "H");

        Assert.Equal(new Move("8C", "D"), move);
    }

    [Fact]
    public void An_eight_as_last_card_still_names_a_suit()
    {
        var move = _chooser.Choose(["8C"], topCard: "5H", suitToFollow: "H");

        Assert.Equal("8C", move.Card);
        Assert.True(SuitNames.TryParse(move.Suit, out _));
    }

    [Fact]
    public void Without_a_known_top_card_only_the_suit_decides()
    {
        var move = _chooser.Choose(["5C", "2H"], topCard: null, suitToFollow: "H");

        Assert.Equal(new Move("2H", null), move);
    }

    [Fact]
    public void Every_chosen_card_is_from_the_hand_and_legal()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var deck = Card.FullDeck.Select(c => c.ToString()).ToList();
        for (var i = 0; i < 2000; i++)
        {
            var cards = deck.OrderBy(_ => random.Next()).Take(random.Next(1, 12)).ToList();
            var top = deck[random.Next(deck.Count)];
            var suit = SuitNames.ToWire((Suit)random.Next(4));
            var move = _chooser.Choose(cards, top, suit);

            if (move.IsTake)
            {
                Assert.DoesNotContain(cards, c => Legal(c, top, suit));
            }
            else
            {
                Assert.True(cards.Contains(move.Card!), $"seed {seed}: {move} not in hand");
                Assert.True(Legal(move.Card!, top, suit), $"seed {seed}: {move} on {top} ({suit})");
                Assert.Equal(move.Card!.StartsWith('8'), move.Suit is not null);
            }
        }
    }

    private static bool Legal(string card, string top, string suit) =>
        Card.TryParse(card, out var c) && Card.TryParse(top, out var t) && SuitNames.TryParse(suit, out var s) && c.Follows(t, s);
}
