namespace CardGame.Contracts.Cards;

/// <summary>The wire texts of the ranks: A, 2 … 10, J, Q, K.</summary>
public static class RankNames
{
    public static bool TryParse(ReadOnlySpan<char> text, out Rank rank)
    {
        Rank? parsed = text switch
        {
            "A" => Rank.Ace,
            "2" => Rank.Two,
            "3" => Rank.Three,
            "4" => Rank.Four,
            "5" => Rank.Five,
            "6" => Rank.Six,
            "7" => Rank.Seven,
            "8" => Rank.Eight,
            "9" => Rank.Nine,
            "10" => Rank.Ten,
            "J" => Rank.Jack,
            "Q" => Rank.Queen,
            "K" => Rank.King,
            _ => null,
        };
        rank = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    public static string ToWire(Rank rank) => rank switch
    {
        Rank.Ace => "A",
        Rank.Jack => "J",
        Rank.Queen => "Q",
        Rank.King => "K",
        >= Rank.Two and <= Rank.Ten => ((int)rank).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(rank), rank, "not a rank"),
    };
}
