using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace CardGame.Edge.Web;

/// <summary>
/// A WebSocket connection keeps the HTTP request that opened it (SignalR keeps its <see cref="HttpContext"/>) until it
/// closes. Once the connection is open nothing reads that request's headers or query again, so they are let go: the
/// headers (a .NET client's <c>Authorization</c> token, its user agent: about 0.8 KB a connection), the query (a
/// browser's <c>access_token</c>) and the raw target. Kestrel keeps the values of known headers after a clear, for reuse
/// by a next request on the connection, so each header is emptied first. The client's address is the connection's, not a
/// header's.
/// </summary>
public static class LongLivedRequest
{
    public static void ForgetHeadersAndQuery(HttpContext? context)
    {
        if (context is null)
        {
            return;
        }

        var request = context.Request;
        var headers = request.Headers;
        foreach (var name in headers.Keys.ToArray())
        {
            headers[name] = StringValues.Empty;
        }

        headers.Clear();
        request.Query = QueryCollection.Empty;
        request.QueryString = QueryString.Empty;
        if (context.Features.Get<IHttpRequestFeature>() is { } feature)
        {
            feature.RawTarget = "";
        }
    }
}
