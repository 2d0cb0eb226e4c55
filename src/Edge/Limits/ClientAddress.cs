using System.Net;
using System.Net.Sockets;

namespace CardGame.Edge.Limits;

/// <summary>
/// The key a client's address is counted under for per-address limits: an IPv4 address as it is, an IPv6 address by
/// its /64 prefix (one subscriber gets a whole /64, so counting single IPv6 addresses would bound nothing).
/// </summary>
public static class ClientAddress
{
    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
