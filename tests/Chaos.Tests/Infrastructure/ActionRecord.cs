namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>What a client knows of one attempt: acknowledged, refused with a code, or unknown (it may have run).</summary>
public enum Outcome
{
    Ok,
    Error,
    Unknown,
}

/// <summary>One try of an action through one edge, with its outcome as the client saw it.</summary>
public sealed record Attempt(string Edge, TimeSpan StartedAt, TimeSpan EndedAt, Outcome Outcome, string? Code);

/// <summary>
/// One action of a client (a move, a resync, a deal), every attempt it took, and its final outcome. A move keeps its
/// <see cref="MoveId"/> across attempts: an attempt whose outcome is unknown is retried with the same id.
/// </summary>
public sealed class ActionRecord(string playerId, string kind, string? moveId, string? card, string? suit)
{
    public string PlayerId { get; } = playerId;

    /// <summary><c>take</c>, <c>put</c>, <c>start</c>, <c>get</c> or <c>resume</c>.</summary>
    public string Kind { get; } = kind;

    public string? MoveId { get; } = moveId;

    public string? Card { get; } = card;

    public string? Suit { get; } = suit;

    public List<Attempt> Attempts { get; } = [];

    public Outcome Final => Attempts.Count == 0 ? Outcome.Unknown : Attempts[^1].Outcome;

    public string? FinalCode => Attempts.Count == 0 ? null : Attempts[^1].Code;

    /// <summary>The seq of the view an acknowledgement returned.</summary>
    public long? AckSeq { get; set; }

    public bool IsMove => Kind is "take" or "put";

    public override string ToString() =>
        $"{Kind} {Card}{Suit} by {PlayerId} [{MoveId}]: {string.Join(", ", Attempts.Select(a => $"{a.Outcome}{(a.Code is null ? "" : " " + a.Code)} via {a.Edge} at {a.StartedAt.TotalMilliseconds:F0} ms"))}";
}
