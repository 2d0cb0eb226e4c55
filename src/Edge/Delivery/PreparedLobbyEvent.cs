using System.Collections.Concurrent;
using CardGame.Contracts.Protocol;

namespace CardGame.Edge.Delivery;

/// <summary>
/// One change of the room list as every watching connection of this edge gets it: each transport's encoding of it is
/// made once, by the first connection that sends it, and the same bytes go to every other watcher on that transport.
/// </summary>
public sealed class PreparedLobbyEvent(LobbyEvent lobbyEvent)
{
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _encoded = new(StringComparer.Ordinal);

    public LobbyEvent Event { get; } = lobbyEvent;

    /// <summary>The event encoded as <paramref name="format"/> (a transport's own name for its wire format).</summary>
    public ReadOnlyMemory<byte> Encoded(string format, Func<LobbyEvent, ReadOnlyMemory<byte>> encode) =>
        _encoded.TryGetValue(format, out var bytes) ? bytes : _encoded.GetOrAdd(format, _ => encode(Event));
}
