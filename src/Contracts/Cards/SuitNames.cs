using System.Diagnostics.CodeAnalysis;

namespace CardGame.Contracts.Cards;

/// <summary>The wire letters of the suits: C, D, H, S (upper case only, like the cards).</summary>
public static class SuitNames
{
    public static bool TryParse([NotNullWhen(true)] string? text, out Suit suit)
    {
        suit = default;
        return text is { Length: 1 } && TryParse(text[0], out suit);
    }

    public static bool TryParse(char letter, out Suit suit)
    {
        Suit? parsed = letter switch
        {
            'C' => Suit.Clubs,
            'D' => Suit.Diamonds,
            'H' => Suit.Hearts,
            'S' => Suit.Spades,
            _ => null,
        };
        suit = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    public static string ToWire(Suit suit) => suit switch
    {
        Suit.Clubs => "C",
        Suit.Diamonds => "D",
        Suit.Hearts => "H",
        Suit.Spades => "S",
        _ => throw new ArgumentOutOfRangeException(nameof(suit), suit, "not a suit"),
    };
}
