using Orleans.TestingHost;

namespace CardGame.TestSupport;

/// <summary>
/// Ports for the silos of an Orleans test cluster from <see cref="FreePorts"/>. Orleans' own allocator takes gateway
/// ports from 40000-50000, inside the kernel's ephemeral range, and checks only for listeners: an outgoing connection
/// of any process could take one between the choice and the silo's bind, as one took a silo process's port before
/// <see cref="FreePorts"/> (CI run of 2026-12-01); and it knew nothing of the ports <see cref="FreePorts"/> had given to
/// servers not started yet.
/// </summary>
public sealed class ClusterPorts : ITestClusterPortAllocator
{
    /// <summary>Silo <c>i</c> listens on the base silo port plus <c>i</c> and its gateway on the base gateway port plus <c>i</c>.</summary>
    public (int, int) AllocateConsecutivePortPairs(int numPorts) => (FreePorts.NextRange(numPorts), FreePorts.NextRange(numPorts));

    /// <summary>The ports stay held until the test process exits (<see cref="FreePorts"/> gives each out once).</summary>
    public void Dispose()
    {
    }
}
