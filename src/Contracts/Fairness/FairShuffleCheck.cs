namespace CardGame.Contracts.Fairness;

/// <summary>The outcome of checking one game's shuffle: verified, or the first problem found, in words.</summary>
public sealed record FairShuffleCheck(bool Verified, string? Problem)
{
    public static FairShuffleCheck Ok { get; } = new(true, null);

    public static FairShuffleCheck Failed(string problem) => new(false, problem);
}
