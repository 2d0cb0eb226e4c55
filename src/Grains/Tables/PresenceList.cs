namespace CardGame.Grains;

/// <summary>One edge's list of the players seated at a table with a live connection on it, as it travels with the table (live migration).</summary>
[GenerateSerializer, Immutable, Alias("cardgame.PresenceList")]
public sealed record PresenceList(
    [property: Id(0)] string EdgeId,
    [property: Id(1)] ImmutableArray<string> Players,
    [property: Id(2)] DateTimeOffset RefreshedAt);
