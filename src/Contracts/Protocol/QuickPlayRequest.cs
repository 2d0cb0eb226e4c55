namespace CardGame.Contracts.Protocol;

/// <summary>The argument of <c>QuickPlay</c>: <see cref="Seats"/> 2–6, or null for any room size.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.QuickPlayRequest")]
public sealed record QuickPlayRequest(
    [property: Id(0)] int? Seats);
