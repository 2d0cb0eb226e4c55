namespace CardGame.Contracts.Protocol;

/// <summary>
/// The result of <c>Resume(roomId, lastSeq)</c>: <see cref="Events"/> after <c>lastSeq</c> in order (private parts
/// for the caller only; empty when nothing was missed), or — when the table no longer holds them — a fresh
/// <see cref="View"/> and <see cref="Events"/> null.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.Resumed")]
public sealed record Resumed(
    [property: Id(0)] IReadOnlyList<TableEvent>? Events,
    [property: Id(1)] TableView? View);
