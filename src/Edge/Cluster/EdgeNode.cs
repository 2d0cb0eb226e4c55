using System.Security.Cryptography;
using CardGame.Contracts.Grains;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Cluster;

/// <summary>
/// This edge process as the cluster knows it: a unique <see cref="EdgeId"/> for subscriptions and connection reports,
/// and the <see cref="ITableObserver"/> references tables send this edge's events to (<see cref="ObserverFor"/>).
/// </summary>
public sealed class EdgeNode(ClusterConnection connection, TableRoutes routes, TableEventFanOut fanOut)
{
    private readonly Lock _gate = new();
    private ITableObserver? _observer;

    public string EdgeId { get; } = $"edge-{Environment.MachineName}-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";

    /// <summary>
    /// The reference a table should send this edge its events through: the one on the edge's client bound to the
    /// table's silo when the edge routes to it (<see cref="TableRoutes"/>), so the table's call and its answer each
    /// cross one connection, else <see cref="Observer"/>.
    /// </summary>
    public ITableObserver ObserverFor(string roomId) => routes.ClientOf(roomId) is { } direct ? direct.TableObserver(fanOut) : Observer;

    /// <summary>
    /// The reference on the main client. Created once, after the client connected; <see cref="TableEventFanOut"/> (a singleton)
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
