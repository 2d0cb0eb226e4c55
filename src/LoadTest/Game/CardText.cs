namespace CardGame.LoadTest.Game;

/// <summary>Reads the wire form of a card ("10H", "QS", "8C"): rank then suit letter.</summary>
public static class CardText
{
    public static readonly IReadOnlyList<string> Ranks = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"];
    public static readonly IReadOnlyList<string> Suits = ["C", "D", "H", "S"];

    public static bool TryParse(string? card, out string rank, out string suit)
    {
        rank = "";
        suit = "";
        if (card is null || card.Length is < 2 or > 3)
        {
            return false;
        }

        rank = card[..^1];
        suit = card[^1..];
        return Ranks.Contains(rank) && Suits.Contains(suit);
    }

    public static string Rank(string card) => card[..^1];

    public static string Suit(string card) => card[^1..];

    public static bool IsEight(string card) => Rank(card) == "8";

    /// <summary>Whether <paramref name="card"/> may be put on <paramref name="topCard"/> with <paramref name="suitToFollow"/>.</summary>
    public static bool IsLegal(string card, string? topCard, string? suitToFollow) =>
        IsEight(card) || Suit(card) == suitToFollow || (topCard is not null && Rank(topCard) == Rank(card));

    /// <summary>All 52 cards.</summary>
    public static IEnumerable<string> FullDeck() => Ranks.SelectMany(rank => Suits.Select(suit => rank + suit));
}
