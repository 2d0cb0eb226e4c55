namespace CardGame.Grains;

/// <summary>One edge's last report of a player's live connections.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.ConnectionLease")]
public sealed record ConnectionLease(
    [property: Id(0)] string EdgeId,
    [property: Id(1)] int Count,
    [property: Id(2)] DateTimeOffset ReportedAt);
