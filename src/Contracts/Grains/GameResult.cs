using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// The outcome of a grain call a client asked for: its <see cref="Value"/> (the caller's <see cref="TableView"/>, a new
/// room's <see cref="RoomInfo"/>, a <see cref="Resumed"/>), or the <see cref="Error"/> that rejected it. A rejected
/// call changed nothing. A table also says where it lives (<see cref="Gateway"/>), so an edge can send its next call
/// straight to that silo instead of through a gateway that forwards it.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.GameResult`1")]
public sealed record GameResult<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] GameError? Error = null)
    where T : class
{
    /// <summary>
    /// The gateway endpoint of the silo that hosts the table which answered (null from other grains, and from silos of
    /// a version before it was added): a hint, right when it was sent, stale once the table moves.
    /// </summary>
    [Id(2)]
    public SiloAddress? Gateway { get; init; }

    /// <summary>
    /// The events a move published, in <c>seq</c> order, for the edge that sent it when it asked for them
    /// (<see cref="ITableGrain.EventsWithAnswer"/>): the table then sends that edge's observer none of them. Null when
    /// the edge did not ask, when something was still queued for it (then they follow that through its observer, in
    /// order) and from silos of a version before it was added.
    /// </summary>
    [Id(3)]
    public IReadOnlyList<TableNotification>? Events { get; init; }

    public bool IsOk => Error is null;

    public static GameResult<T> Ok(T value) => new(value);

    public static GameResult<T> Fail(GameError error) => new(null, error);

    public static GameResult<T> Fail(string code, string text) => new(null, new GameError(code, text));
}
