using CardGame.Contracts.Fairness;
using CardGame.Grains.Rules;
using static CardGame.Grains.Tests.Rules.TestGames;

namespace CardGame.Grains.Tests.Fairness;

public sealed class FairShuffleTests
{
    // The worked example of docs/fair-shuffle.md, computed there with examples/python/fair_shuffle.py (an independent
    // implementation) and by hand with sha256sum.
    private static readonly byte[] ExampleSeed = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    [Fact]
    public void The_worked_example_of_the_docs_holds()
    {
        Assert.Equal("630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd", FairShuffle.Commitment(ExampleSeed));

        var deck = FairShuffle.Deck.ToList();
        FairShuffle.Shuffle(deck, ExampleSeed, FairShuffle.DealLabel);
        Assert.Equal(
            "KS 9C AH 8D 10H JC 9S 10D 10C 7D 8S 4S 2H KH 6D 2C 9H 3C 4C 6S 10S 3D 8H 3H JH 6H JD 7S 4D 8C QC 5D 2S 3S AC JS AS 6C 7C " +
            "QS 5C AD 5H 5S KC 2D 7H QH 9D QD 4H KD",
            string.Join(' ', deck));

        var game = CrazyEights.Deal(["alice", "bob"], ExampleSeed);
        Assert.Equal(Cards("KD QD QH 2D 5S AD QS"), game.Hands["alice"]);
        Assert.Equal(Cards("4H 9D 7H KC 5H 5C 7C"), game.Hands["bob"]);
        Assert.Equal(Cards("6C"), game.DiscardPile);
        Assert.Equal(37, game.Stock.Count);

        var pile = FairShuffle.Deck.Take(10).ToList();
        FairShuffle.Shuffle(pile, ExampleSeed, FairShuffle.ReshuffleLabel(1));
        Assert.Equal("4C 2C 8C 10C 5C 7C 3C 9C AC 6C", string.Join(' ', pile));
    }

    [Fact]
    public void The_deck_before_the_shuffle_is_the_rules_full_deck_in_wire_notation()
    {
        Assert.Equal(Card.FullDeck.Select(card => card.ToString()), FairShuffle.Deck);
    }

    [Fact]
    public void The_deal_is_the_shuffled_deck_dealt_from_the_top()
    {
        for (ulong n = 0; n < 20; n++)
        {
            var deck = Card.FullDeck.ToList();
            FairShuffle.Shuffle(deck, Seed(n), FairShuffle.DealLabel);

            Assert.Equal(Snapshot(CrazyEights.DealFrom(Players(3), deck, Seed(n))), Snapshot(CrazyEights.Deal(Players(3), Seed(n))));
        }
    }

    [Fact]
    public void Every_order_of_three_cards_is_about_equally_likely()
    {
        const int Shuffles = 60_000;
        var counts = new Dictionary<string, int>();
        for (ulong n = 0; n < Shuffles; n++)
        {
            var items = new[] { 'a', 'b', 'c' };
            FairShuffle.Shuffle(items, Seed(n), FairShuffle.DealLabel);
            var order = new string(items);
            counts[order] = counts.GetValueOrDefault(order) + 1;
        }

        // 10,000 expected each; one standard deviation is about 91.
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 9_550, 10_450));
    }

    [Fact]
    public void Each_label_and_each_seed_gives_its_own_order()
    {
        var orders = new[] { (Seed(1), "deal"), (Seed(1), "reshuffle:1"), (Seed(1), "reshuffle:2"), (Seed(2), "deal") }
            .Select(pair =>
            {
                var deck = FairShuffle.Deck.ToList();
                FairShuffle.Shuffle(deck, pair.Item1, pair.Item2);
                return string.Join(' ', deck);
            });

        Assert.Equal(4, orders.Distinct().Count());
    }

    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f", true)]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", true)]
    [InlineData("000102030405060708090a0b0c0d0e", false)] // 15 bytes
    [InlineData("000102030405060708090A0B0C0D0E0F", false)] // upper case
    [InlineData("000102030405060708090a0b0c0d0e0f1", false)]
    [InlineData("000102030405060708090a0b0c0d0e0g", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_revealed_seed_is_lowercase_hex_of_at_least_16_bytes(string? hex, bool valid)
    {
        Assert.Equal(valid, FairShuffle.TryParseSeed(hex, out var seed));
        Assert.Equal(valid, seed is not null && FairShuffle.ToHex(seed) == hex);
    }

    [Fact]
    public void A_new_seed_has_256_bits_and_is_never_the_same_twice()
    {
        var seeds = Enumerable.Range(0, 1000).Select(_ => FairShuffle.ToHex(FairShuffle.NewSeed())).ToList();

        Assert.All(seeds, seed => Assert.Equal(64, seed.Length));
        Assert.Equal(seeds.Count, seeds.Distinct().Count());
    }
}
