namespace CardGame.Contracts.Protocol;

/// <summary>A room's phase as it appears on the wire.</summary>
public static class Phases
{
    public const string Waiting = "waiting";
    public const string Playing = "playing";
    public const string Finished = "finished";
}
