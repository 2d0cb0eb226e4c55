namespace CardGame.Edge.Delivery;

/// <summary>Keeps a table subscribed while a hub call that may seat a local player there runs. Dispose when done.</summary>
public sealed class RoomHold : IDisposable
{
    private readonly TableSubscriptions _owner;
    private readonly string _roomId;
    private readonly TableSubscriptions.Room _room;
    private bool _disposed;

    internal RoomHold(TableSubscriptions owner, string roomId, TableSubscriptions.Room room)
    {
        _owner = owner;
        _roomId = roomId;
        _room = room;
    }

    /// <summary>The table's seq when this hold subscribed, or null if the edge was subscribed already.</summary>
    public long? Seq { get; internal set; }

    /// <summary>The table answered, as this hold subscribed, that the room does not exist (nothing was subscribed).</summary>
    public bool RoomMissing { get; internal set; }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _owner.Release(_roomId, _room);
        }
    }
}
