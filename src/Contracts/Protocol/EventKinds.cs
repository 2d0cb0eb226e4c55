namespace CardGame.Contracts.Protocol;

/// <summary>The <see cref="TableEvent.Kind"/> values of the wire contract.</summary>
public static class EventKinds
{
    public const string Joined = "joined";
    public const string Left = "left";
    public const string Started = "started";
    public const string Took = "took";
    public const string Put = "put";
    public const string Finished = "finished";
    public const string Connection = "connection";
}
