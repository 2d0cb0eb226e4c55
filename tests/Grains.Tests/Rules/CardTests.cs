using System.Text.Json;
using CardGame.Grains.Rules;

namespace CardGame.Grains.Tests.Rules;

public sealed class CardTests
{
    [Fact]
    public void The_full_deck_holds_52_distinct_cards_13_of_each_suit()
    {
        Assert.Equal(52, Card.FullDeck.Count);
        Assert.Equal(52, Card.FullDeck.Distinct().Count());
        Assert.All(Enum.GetValues<Suit>(), suit => Assert.Equal(13, Card.FullDeck.Count(card => card.Suit == suit)));
        Assert.All(Card.FullDeck, card => Assert.True(card.IsValid));
    }

    [Fact]
    public void Every_card_round_trips_through_its_wire_text()
    {
        foreach (var card in Card.FullDeck)
        {
            Assert.True(Card.TryParse(card.ToString(), out var parsed), card.ToString());
            Assert.Equal(card, parsed);
        }
    }

    [Fact]
    public void A_card_prints_as_one_shared_string_not_a_new_one_each_time()
    {
        // Cards are written out on every move (the stored state holds all 52): printing one allocates nothing.
        foreach (var card in Card.FullDeck)
        {
            Assert.Same(card.ToString(), new Card(card.Rank, card.Suit).ToString());
        }
    }

    [Theory]
    [InlineData("10H", Rank.Ten, Suit.Hearts)]
    [InlineData("QS", Rank.Queen, Suit.Spades)]
    [InlineData("8C", Rank.Eight, Suit.Clubs)]
    [InlineData("AD", Rank.Ace, Suit.Diamonds)]
    [InlineData("2C", Rank.Two, Suit.Clubs)]
    [InlineData("JH", Rank.Jack, Suit.Hearts)]
    [InlineData("KD", Rank.King, Suit.Diamonds)]
    public void A_card_parses_from_and_prints_as_its_wire_text(string text, Rank rank, Suit suit)
    {
        Assert.True(Card.TryParse(text, out var card));
        Assert.Equal(new Card(rank, suit), card);
        Assert.Equal(text, card.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("H")]
    [InlineData("1H")]
    [InlineData("0H")]
    [InlineData("11H")]
    [InlineData("010H")]
    [InlineData("10")]
    [InlineData("qs")]
    [InlineData("10h")]
    [InlineData("Qs")]
    [InlineData(" 8C")]
    [InlineData("8C ")]
    [InlineData("8X")]
    [InlineData("XH")]
    [InlineData("TH")]
    [InlineData("1OH")]
    [InlineData("10HH")]
    public void Anything_but_the_exact_wire_format_is_not_a_card(string? text)
    {
        Assert.False(Card.TryParse(text, out _));
    }

    [Fact]
    public void Suits_have_the_wire_letters_C_D_H_S()
    {
        Assert.Equal(["C", "D", "H", "S"], Enum.GetValues<Suit>().Select(SuitNames.ToWire));
        foreach (var suit in Enum.GetValues<Suit>())
        {
            Assert.True(SuitNames.TryParse(SuitNames.ToWire(suit), out var parsed));
            Assert.Equal(suit, parsed);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c")]
    [InlineData("X")]
    [InlineData("CC")]
    [InlineData("Hearts")]
    [InlineData(" H")]
    public void Anything_but_a_suit_letter_is_not_a_suit(string? text)
    {
        Assert.False(SuitNames.TryParse(text, out _));
    }

    [Fact]
    public void A_card_is_stored_in_json_as_its_wire_string()
    {
        Assert.Equal("\"10H\"", JsonSerializer.Serialize(new Card(Rank.Ten, Suit.Hearts)));
        Assert.Equal(new Card(Rank.Queen, Suit.Spades), JsonSerializer.Deserialize<Card>("\"QS\""));
        Assert.Equal("[\"AD\",null]", JsonSerializer.Serialize(new Card?[] { new Card(Rank.Ace, Suit.Diamonds), null }));
    }

    [Fact]
    public void A_card_can_be_a_json_dictionary_key()
    {
        var counts = new Dictionary<Card, int> { [new Card(Rank.Eight, Suit.Clubs)] = 2 };
        var json = JsonSerializer.Serialize(counts);

        Assert.Equal("{\"8C\":2}", json);
        Assert.Equal(counts, JsonSerializer.Deserialize<Dictionary<Card, int>>(json));
    }

    [Theory]
    [InlineData("\"1H\"")]
    [InlineData("\"\"")]
    [InlineData("10")]
    [InlineData("{\"Rank\":10,\"Suit\":2}")]
    public void Json_that_is_not_a_card_string_fails_to_load(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Card>(json));
    }

    [Fact]
    public void The_default_card_is_no_card_and_is_not_stored()
    {
        Assert.False(default(Card).IsValid);
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(default(Card)));
    }
}
