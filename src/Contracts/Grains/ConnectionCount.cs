namespace CardGame.Contracts.Grains;

/// <summary>An edge's count of one player's live connections on it, at the time of the report.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.ConnectionCount")]
public sealed record ConnectionCount(
    [property: Id(0)] string PlayerId,
    [property: Id(1)] int Connections);
