namespace CardGame.Contracts.Grains;

/// <summary>What one silo hosts, as it reported it to <see cref="ISiloLoadGrain"/>: its movable tables and players.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.SiloLoad")]
public sealed record SiloLoad(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] int Tables,
    [property: Id(2)] int Players);
