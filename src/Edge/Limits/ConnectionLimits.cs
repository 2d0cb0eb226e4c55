using System.Net;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Limits;

/// <summary>
/// Open connections per client address on this edge (<see cref="EdgeOptions.MaxConnectionsPerAddress"/>), signed in or
/// not, whatever the transport. A connection is counted from <see cref="TryOpen"/> until <see cref="Close"/>.
/// </summary>
public sealed class ConnectionLimits(IOptions<EdgeOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _addressOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Counts connection <paramref name="connectionId"/> from <paramref name="address"/>; false (not counted) when the address is at its cap.</summary>
    public bool TryOpen(string connectionId, IPAddress? address)
    {
        var key = ClientAddress.Key(address);
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(key);
            if (open >= options.Value.MaxConnectionsPerAddress)
            {
                return false;
            }

            _open[key] = open + 1;
            _addressOf[connectionId] = key;
            return true;
        }
    }

    /// <summary>The connection closed; nothing happens for one that was never counted.</summary>
    public void Close(string connectionId)
    {
        lock (_gate)
        {
            if (_addressOf.Remove(connectionId, out var key) && --_open[key] == 0)
            {
                _open.Remove(key);
            }
        }
    }

    /// <summary>Addresses with open connections (a gauge: it must not grow with closed connections).</summary>
    public int Addresses
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    public string Message => $"at most {options.Value.MaxConnectionsPerAddress} connections from one address; close one first";
}
