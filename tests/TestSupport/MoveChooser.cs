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

        var topRank = Rank(view.TopCard);
        var matching = hand.FirstOrDefault(c => Rank(c) != "8" && (Rank(c) == topRank || Suit(c) == view.Suit));
        if (matching is not null)
        {
            return (matching, null);
        }

        var eight = hand.FirstOrDefault(c => Rank(c) == "8");
        if (eight is null)
        {
            return null;
        }

        var declared = hand.Where(c => c != eight).GroupBy(Suit).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault() ?? "S";
        return (eight, declared);
    }

    /// <summary>A card of the hand that may not be put now, if any.</summary>
    public static string? ChooseIllegal(TableView view) =>
        view.Hand?.FirstOrDefault(c => Rank(c) != "8" && Rank(c) != Rank(view.TopCard!) && Suit(c) != view.Suit);

    public static string Rank(string card) => card[..^1];

    public static string Suit(string card) => card[^1..];
}
