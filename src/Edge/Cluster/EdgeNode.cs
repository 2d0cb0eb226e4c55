using System.Security.Cryptography;
using CardGame.Contracts.Grains;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Cluster;

/// <summary>
/// This edge process as the cluster knows it: a unique <see cref="EdgeId"/> for subscriptions and connection reports,
/// and the one <see cref="ITableObserver"/> reference every table this edge subscribes to sends its events to.
/// </summary>
public sealed class EdgeNode(ClusterConnection connection, TableEventFanOut fanOut)
{
    private readonly Lock _gate = new();
    private ITableObserver? _observer;

    public string EdgeId { get; } = $"edge-{Environment.MachineName}-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";

    /// <summary>
    /// The reference tables call. Created once, after the client connected; <see cref="TableEventFanOut"/> (a singleton)
    /// is the strong reference that keeps the observed object alive.
    /// </summary>
    public ITableObserver Observer
    {
        get
        {
            lock (_gate)
            {
                return _observer ??= connection.Grains.CreateObjectReference<ITableObserver>(fanOut);
            }
        }
    }
}
