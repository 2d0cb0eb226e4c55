namespace CardGame.Edge.Cluster;

/// <summary>The edge has no connection to the cluster (yet): the call fails with <c>unavailable</c>.</summary>
public sealed class ClusterUnavailableException(string message) : Exception(message);
