namespace CardGame.Edge.Delivery;

/// <summary>
/// One event that many connections of this edge get in the same form (a change of the room list for every lobby
/// watcher, a table event's public form for every spectator of the room, a table event for every seated player allowed
/// to see the same of it): each transport's encoding of it is made
/// once, by the first connection that sends it, and the same bytes go to every other connection on that transport.
/// </summary>
public sealed class PreparedEvent<TEvent>(TEvent value)
    where TEvent : class
{
    // Nearly every event goes out on one transport only: its encoding is kept in a field, others (rare) in a dictionary.
    private readonly Lock _gate = new();
    private string? _format;
    private ReadOnlyMemory<byte> _bytes;
    private Dictionary<string, ReadOnlyMemory<byte>>? _otherFormats;

    public TEvent Event { get; } = value;

    /// <summary>The event encoded as <paramref name="format"/> (a transport's own name for its wire format).</summary>
    public ReadOnlyMemory<byte> Encoded(string format, Func<TEvent, ReadOnlyMemory<byte>> encode)
    {
        lock (_gate)
        {
            if (string.Equals(_format, format, StringComparison.Ordinal))
            {
                return _bytes;
            }

            if (_otherFormats is not null && _otherFormats.TryGetValue(format, out var other))
            {
                return other;
            }
        }

        // Encoded outside the lock: connections that race here make the same bytes, and the first kept is used after.
        var bytes = encode(Event);
        lock (_gate)
        {
            if (_format is null)
            {
                (_format, _bytes) = (format, bytes);
            }
            else if (!string.Equals(_format, format, StringComparison.Ordinal))
            {
                (_otherFormats ??= new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal)).TryAdd(format, bytes);
            }
        }

        return bytes;
    }
}
