namespace CardGame.Edge.Hub;

/// <summary>
/// Which browser origins may open the hub: the edge's own (the Origin's host and port equal the request's Host) and
/// those listed in <see cref="EdgeOptions.AllowedOrigins"/>. There is no wildcard: the hub's CORS policy allows
/// credentials, so "any origin" would let every page on the web act for a signed-in player (refused at start).
/// </summary>
public static class OriginPolicy
{
    public static bool IsAllowed(string origin, HostString host, IReadOnlyCollection<string> allowedOrigins) =>
        IsSameOrigin(origin, host) || IsListed(origin, allowedOrigins);

    public static bool IsListed(string origin, IReadOnlyCollection<string> allowedOrigins) =>
        allowedOrigins.Any(allowed => string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="origin"/> is written as an origin: http(s), a host, an optional port, nothing else.</summary>
    public static bool IsWellFormed(string origin) =>
        Uri.TryCreate(origin.TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0 && !origin.Contains('*');

    public static bool IsSameOrigin(string origin, HostString host)
    {
        if (!host.HasValue || !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        // Behind a proxy the request may be plain HTTP while the page is HTTPS: compare host and port, not scheme.
        return string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase)
            && (host.Port is { } port ? uri.Port == port : uri.IsDefaultPort);
    }
}
