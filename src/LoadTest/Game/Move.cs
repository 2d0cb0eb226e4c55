namespace CardGame.LoadTest.Game;

/// <summary>What a simulated player does on its turn: put <see cref="Card"/> (naming <see cref="Suit"/> for an 8), or take a card.</summary>
public sealed record Move(string? Card, string? Suit)
{
    public static Move Take { get; } = new(null, null);

    public bool IsTake => Card is null;

    public override string ToString() => IsTake ? "take" : Suit is null ? $"put {Card}" : $"put {Card} ({Suit})";
}
