namespace CardGame.Contracts.Cards;

/// <summary>A card's rank; on the wire A, 2 … 10, J, Q, K (see <see cref="RankNames"/>).</summary>
public enum Rank
{
    Ace = 1,
    Two,
    Three,
    Four,
    Five,
    Six,
    Seven,
    Eight,
    Nine,
    Ten,
    Jack,
    Queen,
    King,
}
