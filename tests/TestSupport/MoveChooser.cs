using CardGame.Contracts.Cards;
using CardGame.Contracts.Protocol;

namespace CardGame.TestSupport;

/// <summary>
/// What a simple bot plays, from what a client can see: a card from its own hand that matches the top card's rank
/// or the suit to follow (eights last, declaring the suit it holds most of), else take.
/// </summary>
public static class MoveChooser
{
    public static (string Card, string? Suit)? ChoosePut(TableView view)
    {
        if (view.Hand is not { Count: > 0 } hand || view.TopCard is null)
        {
            return null;
        }

        var top = Card.Parse(view.TopCard);
        var follow = SuitToFollow(view);
        var matching = hand.FirstOrDefault(c => !IsEight(c) && Card.Parse(c).Follows(top, follow));
        if (matching is not null)
        {
            return (matching, null);
        }

        var eight = hand.FirstOrDefault(IsEight);
        if (eight is null)
        {
            return null;
        }

        var declared = hand.Where(c => c != eight).GroupBy(c => Card.Parse(c).Suit).OrderByDescending(g => g.Count()).Select(g => (Suit?)g.Key).FirstOrDefault() ?? Suit.Spades;
        return (eight, SuitNames.ToWire(declared));
    }

    /// <summary>A card of the hand that may not be put now, if any.</summary>
    public static string? ChooseIllegal(TableView view) =>
        view.Hand?.FirstOrDefault(c => !Card.Parse(c).Follows(Card.Parse(view.TopCard), SuitToFollow(view)));

    public static bool IsEight(string card) => Card.Parse(card).Rank == Rank.Eight;

    private static Suit? SuitToFollow(TableView view) => SuitNames.TryParse(view.Suit, out var suit) ? suit : null;
}
