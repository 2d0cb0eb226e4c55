using CardGame.Contracts.Cards;

namespace CardGame.LoadTest.Game;

/// <summary>
/// A simple legal strategy: put a non-8 that matches (preferring the suit held most), else an 8 naming the suit held
/// most, else take. Randomness only breaks ties, so a seeded chooser replays the same game.
/// </summary>
public sealed class MoveChooser(Random random)
{
    private static readonly Suit[] Suits = Enum.GetValues<Suit>();

    public Move Choose(IReadOnlyList<string> hand, string? topCard, string? suitToFollow)
    {
        ArgumentNullException.ThrowIfNull(hand);
        Card? top = Card.TryParse(topCard, out var parsedTop) ? parsedTop : null;
        Suit? follow = SuitNames.TryParse(suitToFollow, out var parsedSuit) ? parsedSuit : null;
        var cards = hand.Select(text => Card.TryParse(text, out var card) ? card : (Card?)null).OfType<Card>().ToList();
        var legal = cards.Where(card => card.Follows(top, follow)).ToList();
        if (legal.Count == 0)
        {
            return Move.Take;
        }

        var suitCounts = cards.Where(card => card.Rank != Rank.Eight)
            .GroupBy(card => card.Suit)
            .ToDictionary(group => group.Key, group => group.Count());
        var plain = legal.Where(card => card.Rank != Rank.Eight).ToList();
        if (plain.Count > 0)
        {
            var best = plain.Max(card => suitCounts.GetValueOrDefault(card.Suit));
            var candidates = plain.Where(card => suitCounts.GetValueOrDefault(card.Suit) == best).ToList();
            return new Move(candidates[random.Next(candidates.Count)].ToString(), null);
        }

        var eight = legal[random.Next(legal.Count)];
        var declared = suitCounts.Count == 0
            ? Suits[random.Next(Suits.Length)]
            : suitCounts.MaxBy(pair => pair.Value).Key;
        return new Move(eight.ToString(), SuitNames.ToWire(declared));
    }
}
