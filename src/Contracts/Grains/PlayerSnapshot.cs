namespace CardGame.Contracts.Grains;

/// <summary>Who is joining a table: passed in the call so the table never calls back to the player.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.PlayerSnapshot")]
public sealed record PlayerSnapshot(
    [property: Id(0)] string PlayerId,
    [property: Id(1)] string Name);
