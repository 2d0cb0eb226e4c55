using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace CardGame.Grains.Rules;

/// <summary>
/// A playing card. On the wire and in stored JSON it is its rank then its suit letter, e.g. "10H", "QS", "8C".
/// </summary>
[JsonConverter(typeof(CardJsonConverter))]
public readonly record struct Card(Rank Rank, Suit Suit)
{
    /// <summary>The 52 cards, clubs then diamonds, hearts, spades, each from ace to king.</summary>
    public static IReadOnlyList<Card> FullDeck { get; } = Array.AsReadOnly(
        Enum.GetValues<Suit>().SelectMany(suit => Enum.GetValues<Rank>().Select(rank => new Card(rank, suit))).ToArray());

    /// <summary>False for values that are no card, such as <c>default(Card)</c>.</summary>
    public bool IsValid => Rank is >= Rank.Ace and <= Rank.King && Suit is >= Suit.Clubs and <= Suit.Spades;

    /// <summary>Parses the exact wire format (upper case, no spaces): "10H", "QS", "8C", "AD".</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Card card)
    {
        card = default;
        if (text is not { Length: 2 or 3 }
            || !RankNames.TryParse(text.AsSpan(0, text.Length - 1), out var rank)
            || !SuitNames.TryParse(text[^1], out var suit))
        {
            return false;
        }

        card = new Card(rank, suit);
        return true;
    }

    public override string ToString() =>
        IsValid ? RankNames.ToWire(Rank) + SuitNames.ToWire(Suit) : $"(no card: {(int)Rank}/{(int)Suit})";
}
