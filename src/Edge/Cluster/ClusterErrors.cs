using Orleans.Runtime.Messaging;

namespace CardGame.Edge.Cluster;

/// <summary>Which failures of a grain call mean "the cluster could not be reached in time".</summary>
public static class ClusterErrors
{
    public static bool IsUnavailable(Exception exception) => exception is
        TimeoutException or
        ClusterUnavailableException or
        SiloUnavailableException or
        ConnectionFailedException or
        OrleansMessageRejectionException or
        GatewayTooBusyException or
        OperationCanceledException;
}
