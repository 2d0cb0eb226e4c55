namespace CardGame.Contracts.Protocol;

/// <summary>A seated player as every other player sees them: no cards, only how many.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.PlayerView")]
public sealed record PlayerView(
    [property: Id(0)] string PlayerId,
    [property: Id(1)] string Name,
    [property: Id(2)] int HandCount,
    [property: Id(3)] bool Connected);
