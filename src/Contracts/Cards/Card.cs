using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace CardGame.Contracts.Cards;

/// <summary>
/// A playing card. On the wire and in stored JSON it is its rank then its suit letter, e.g. "10H", "QS", "8C". The one
/// reader (<see cref="TryParse"/>) and writer (<see cref="ToString"/>) of that notation in .NET, shared by the rules,
/// the edge, the load tool and the tests (the browser has its own, in <c>cards.js</c>).
/// </summary>
[JsonConverter(typeof(CardJsonConverter))]
public readonly record struct Card(Rank Rank, Suit Suit)
{
    /// <summary>The 52 cards, clubs then diamonds, hearts, spades, each from ace to king.</summary>
    public static IReadOnlyList<Card> FullDeck { get; } = Array.AsReadOnly(
        Enum.GetValues<Suit>().SelectMany(suit => Enum.GetValues<Rank>().Select(rank => new Card(rank, suit))).ToArray());

    // Each card's wire text, made once: cards are written out on every move (the table's stored state holds all 52, the
    // view the mover's hand), so ToString hands out these instead of building a string each time.
    private static readonly string[] WireTexts = [.. Enum.GetValues<Suit>().SelectMany(suit => Enum.GetValues<Rank>().Select(rank => RankNames.ToWire(rank) + SuitNames.ToWire(suit)))];

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

    /// <summary>
    /// Whether this card may be put on <paramref name="topCard"/> when <paramref name="suitToFollow"/> is the suit to
    /// follow: an 8 always, else the same suit as the one to follow or the same rank as the top card.
    /// </summary>
    public bool Follows(Card? topCard, Suit? suitToFollow) => Rank == Rank.Eight || Suit == suitToFollow || topCard?.Rank == Rank;

    /// <summary>Parses the wire format, or throws <see cref="FormatException"/>.</summary>
    public static Card Parse(string? text) => TryParse(text, out var card) ? card : throw new FormatException($"'{text}' is not a card");

    /// <summary>The wire text (one shared string per card, not a new one each time).</summary>
    public override string ToString() =>
        IsValid ? WireTexts[((int)Suit * 13) + (int)Rank - 1] : $"(no card: {(int)Rank}/{(int)Suit})";
}
