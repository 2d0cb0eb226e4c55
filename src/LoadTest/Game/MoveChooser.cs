namespace CardGame.LoadTest.Game;

/// <summary>
/// A simple legal strategy: put a non-8 that matches (preferring the suit held most), else an 8 naming the suit held
/// most, else take. Randomness only breaks ties, so a seeded chooser replays the same game.
/// </summary>
public sealed class MoveChooser(Random random)
{
    public Move Choose(IReadOnlyList<string> hand, string? topCard, string? suitToFollow)
    {
        ArgumentNullException.ThrowIfNull(hand);
        var legal = hand.Where(card => CardText.IsLegal(card, topCard, suitToFollow)).ToList();
        if (legal.Count == 0)
        {
            return Move.Take;
        }

        var suitCounts = hand.Where(card => !CardText.IsEight(card))
            .GroupBy(CardText.Suit)
            .ToDictionary(group => group.Key, group => group.Count());
        var plain = legal.Where(card => !CardText.IsEight(card)).ToList();
        if (plain.Count > 0)
        {
            var best = plain.Max(card => suitCounts.GetValueOrDefault(CardText.Suit(card)));
            var candidates = plain.Where(card => suitCounts.GetValueOrDefault(CardText.Suit(card)) == best).ToList();
            return new Move(candidates[random.Next(candidates.Count)], null);
        }

        var eight = legal[random.Next(legal.Count)];
        var declared = suitCounts.Count == 0
            ? CardText.Suits[random.Next(CardText.Suits.Count)]
            : suitCounts.MaxBy(pair => pair.Value).Key;
        return new Move(eight, declared);
    }
}
