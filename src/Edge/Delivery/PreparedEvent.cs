using System.Collections.Concurrent;

namespace CardGame.Edge.Delivery;

/// <summary>
/// One event that many connections of this edge get in the same form (a change of the room list for every lobby
/// watcher, a table event's public form for every spectator of the room): each transport's encoding of it is made
/// once, by the first connection that sends it, and the same bytes go to every other connection on that transport.
/// </summary>
public sealed class PreparedEvent<TEvent>(TEvent value)
    where TEvent : class
{
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _encoded = new(StringComparer.Ordinal);

    public TEvent Event { get; } = value;

    /// <summary>The event encoded as <paramref name="format"/> (a transport's own name for its wire format).</summary>
    public ReadOnlyMemory<byte> Encoded(string format, Func<TEvent, ReadOnlyMemory<byte>> encode) =>
        _encoded.TryGetValue(format, out var bytes) ? bytes : _encoded.GetOrAdd(format, _ => encode(Event));
}
