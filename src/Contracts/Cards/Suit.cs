namespace CardGame.Contracts.Cards;

/// <summary>A card's suit; on the wire its letter C, D, H or S (see <see cref="SuitNames"/>).</summary>
public enum Suit
{
    Clubs,
    Diamonds,
    Hearts,
    Spades,
}
