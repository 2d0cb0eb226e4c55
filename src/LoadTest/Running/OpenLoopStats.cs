namespace CardGame.LoadTest.Running;

/// <summary>
/// How an open-loop schedule went: moves due, moves issued, moves dropped because the backlog of due moves waiting for a
/// player whose turn it is grew past 5 s worth, and the backlog at the end.
/// </summary>
public sealed record OpenLoopStats(double Rate, long Scheduled, long Issued, long Dropped, long BacklogAtEnd);
