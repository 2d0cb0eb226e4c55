using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// The outcome of an action on a table: either the caller's <see cref="View"/> after it, or an
/// <see cref="ErrorCode"/> from <see cref="ErrorCodes"/> with a human-readable <see cref="ErrorMessage"/>.
/// A rejected action changed nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableResult")]
public sealed record TableResult(
    [property: Id(0)] TableView? View,
    [property: Id(1)] string? ErrorCode = null,
    [property: Id(2)] string? ErrorMessage = null)
{
    public bool IsOk => ErrorCode is null;

    public static TableResult Ok(TableView view) => new(view);

    public static TableResult Fail(string code, string message) => new(null, code, message);
}
