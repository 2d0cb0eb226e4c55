namespace CardGame.Grains.Rules;

/// <summary>
/// The outcome of a move. <see cref="ErrorCode"/> null: the move was applied. Otherwise it is one of
/// <see cref="CardGame.Contracts.Protocol.ErrorCodes"/> and the game was left exactly as it was.
/// </summary>
/// <param name="Card">The card put, or the card taken (null when the take passed).</param>
/// <param name="Passed">A take found the stock and the discard pile below the top card empty and only passed the turn.</param>
/// <param name="Reshuffled">A take shuffled the discard pile (but its top card) into the empty stock first.</param>
public sealed record RuleResult(string? ErrorCode, string? ErrorMessage, Card? Card = null, bool Passed = false, bool Reshuffled = false)
{
    public bool IsOk => ErrorCode is null;

    internal static RuleResult Ok { get; } = new(null, null);

    internal static RuleResult Reject(string errorCode, string errorMessage) => new(errorCode, errorMessage);
}
