namespace CardGame.LoadTest.Running;

/// <summary>
/// How an open-loop schedule went: moves due, moves issued, moves dropped because they waited more than 5 s for their
/// table's player whose turn it is, and the backlog at the end.
/// </summary>
public sealed record OpenLoopStats(double Rate, long Scheduled, long Issued, long Dropped, long BacklogAtEnd);
