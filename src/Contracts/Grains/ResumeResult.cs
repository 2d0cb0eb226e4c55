using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// The answer to a resume request: either the caller's <see cref="Events"/> after the given seq (private parts for the
/// caller only; empty when nothing was missed), or — when the table no longer holds them all — a fresh
/// <see cref="View"/>. Or an error code.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.ResumeResult")]
public sealed record ResumeResult(
    [property: Id(0)] IReadOnlyList<TableEvent>? Events,
    [property: Id(1)] TableView? View,
    [property: Id(2)] string? ErrorCode = null,
    [property: Id(3)] string? ErrorMessage = null)
{
    public bool IsOk => ErrorCode is null;

    public static ResumeResult Fail(string code, string message) => new(null, null, code, message);
}
