namespace CardGame.LoadTest.Players;

/// <summary>A simulated player whose turn it is and who waits to be told to move.</summary>
public interface IActor
{
    /// <summary>The index of the actor's table (group): the open loop paces each table on its own schedule.</summary>
    int Table { get; }

    /// <summary>Makes the move now. <paramref name="scheduledTimestamp"/> is when it was due (latency counts from it).</summary>
    Task ActAsync(long scheduledTimestamp);
}
