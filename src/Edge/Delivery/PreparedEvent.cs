namespace CardGame.Edge.Delivery;

/// <summary>
/// One event that many connections of this edge get in the same form (a change of the room list for every lobby
/// watcher, a table event's public form for every spectator of the room, a table event for every seated player allowed
/// to see the same of it): each transport's encoding of it is made
/// once, by the first connection that sends it, and the same encoding goes to every other connection on that transport.
/// </summary>
public sealed class PreparedEvent<TEvent>(TEvent value)
    where TEvent : class
{
    // Nearly every event goes out on one transport only: its encoding is kept in a field, others (rare) in a dictionary.
    private readonly Lock _gate = new();
    private string? _format;
    private object? _encoded;
    private Dictionary<string, object>? _otherFormats;

    public TEvent Event { get; } = value;

    /// <summary>The event encoded as <paramref name="format"/> (a transport's own name for its wire format).</summary>
    public ReadOnlyMemory<byte> Encoded(string format, Func<TEvent, ReadOnlyMemory<byte>> encode) =>
        Encoded(format, encode, static (e, encode) => encode(e));

    /// <summary>
    /// The event encoded as <paramref name="format"/> by <paramref name="encode"/> with <paramref name="state"/> (a
    /// static <paramref name="encode"/> costs no closure per connection): bytes, or a transport's own message holding
    /// them (SignalR's, which writes the same instance to each of its connections, as it does for a group). One
    /// <paramref name="format"/> always has one <typeparamref name="TEncoded"/>.
    /// </summary>
    public TEncoded Encoded<TState, TEncoded>(string format, TState state, Func<TEvent, TState, TEncoded> encode)
        where TEncoded : notnull
    {
        lock (_gate)
        {
            if (string.Equals(_format, format, StringComparison.Ordinal))
            {
                return (TEncoded)_encoded!;
            }

            if (_otherFormats is not null && _otherFormats.TryGetValue(format, out var other))
            {
                return (TEncoded)other;
            }
        }

        // Encoded outside the lock: connections that race here make the same encoding, and the first kept is used after.
        var encoded = encode(Event, state);
        lock (_gate)
        {
            if (_format is null)
            {
                (_format, _encoded) = (format, encoded);
            }
            else if (string.Equals(_format, format, StringComparison.Ordinal))
            {
                return (TEncoded)_encoded!;
            }
            else if (!(_otherFormats ??= new Dictionary<string, object>(StringComparer.Ordinal)).TryAdd(format, encoded))
            {
                return (TEncoded)_otherFormats[format];
            }
        }

        return encoded;
    }
}
