using System.Text.Json.Serialization;

namespace CardGame.Grains.Rules;

/// <summary>
/// The whole state of one game of Crazy Eights, changed only through <see cref="CrazyEights"/>. A plain class so
/// System.Text.Json round-trips it exactly: a game reloaded from JSON continues as the original would have,
/// reshuffles included, because the deal's seed and the number of reshuffles are stored too.
/// </summary>
public sealed class CrazyEightsGame
{
    /// <summary>Player ids still in the game, in seat order.</summary>
    public List<string> Players { get; set; } = [];

    /// <summary>Each player's cards, by player id.</summary>
    public Dictionary<string, List<Card>> Hands { get; set; } = [];

    /// <summary>Face down; index 0 is the bottom, the last card is the top (drawn next).</summary>
    public List<Card> Stock { get; set; } = [];

    /// <summary>Face up; the last card is the top.</summary>
    public List<Card> DiscardPile { get; set; } = [];

    /// <summary>The top card's suit, or the suit named with the 8 on top.</summary>
    public Suit SuitToFollow { get; set; }

    /// <summary>The player to move; null once the game is finished.</summary>
    public string? Turn { get; set; }

    public string? Winner { get; set; }

    /// <summary>
    /// The secret seed of the deal, lowercase hex (docs/fair-shuffle.md): it drives every reshuffle and is revealed in
    /// <c>finished</c>, never before. Null for a game dealt before the fair shuffle, which reshuffles with
    /// <see cref="RngState"/>.
    /// </summary>
    public string? Seed { get; set; }

    /// <summary>How many times the discard pile has been shuffled into the stock; numbers the next reshuffle.</summary>
    public int Reshuffles { get; set; }

    /// <summary>The SplitMix64 generator of a game dealt before the fair shuffle (no <see cref="Seed"/>); unused otherwise.</summary>
    public ulong RngState { get; set; }

    [JsonIgnore]
    public bool IsFinished => Winner is not null;

    [JsonIgnore]
    public Card? TopCard => DiscardPile.Count > 0 ? DiscardPile[^1] : null;

    public CrazyEightsGame Clone() => new()
    {
        Players = [.. Players],
        Hands = Hands.ToDictionary(pair => pair.Key, pair => new List<Card>(pair.Value), Hands.Comparer),
        Stock = [.. Stock],
        DiscardPile = [.. DiscardPile],
        SuitToFollow = SuitToFollow,
        Turn = Turn,
        Winner = Winner,
        Seed = Seed,
        Reshuffles = Reshuffles,
        RngState = RngState,
    };
}
