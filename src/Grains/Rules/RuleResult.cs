using CardGame.Contracts.Protocol;

namespace CardGame.Grains.Rules;

/// <summary>
/// The outcome of a move. <see cref="Error"/> null: the move was applied. Otherwise the game was left exactly as it was.
/// </summary>
/// <param name="Card">The card put, or the card taken (null when the take passed).</param>
/// <param name="Passed">A take found the stock and the discard pile below the top card empty and only passed the turn.</param>
/// <param name="Reshuffled">A take shuffled the discard pile (but its top card) into the empty stock first.</param>
public sealed record RuleResult(GameError? Error, Card? Card = null, bool Passed = false, bool Reshuffled = false)
{
    public bool IsOk => Error is null;

    internal static RuleResult Ok { get; } = new((GameError?)null);

    internal static RuleResult Reject(string errorCode, string errorMessage) => new(new GameError(errorCode, errorMessage));
}
