namespace CardGame.Grains;

/// <summary>
/// Work a starting silo finishes before it takes activations from other silos (the silo host's warm-up). The silos'
/// rebalancing (<see cref="ActivationBalancer"/>) reports this silo's load, which is what lets the others plan moves
/// onto it, only once every registered warm-up has completed.
/// </summary>
public interface ISiloWarmup
{
    /// <summary>Completes once the warm-up is over, done or failed.</summary>
    Task Completed { get; }
}
