using Microsoft.AspNetCore.Http.Features;

namespace CardGame.Edge.Web;

/// <summary>
/// A WebSocket connection keeps the HTTP request that opened it (SignalR keeps its <see cref="HttpContext"/>) until it
/// closes. Once the connection is open nothing reads that request's headers or query again, so they are cleared: the
/// query (a browser's <c>access_token</c>) and the raw target are let go. Kestrel keeps the strings of known headers
/// (an <c>Authorization</c> header's token among them) for reuse by a next request even after a clear, so measured with
/// .NET clients this saved no memory (docs/benchmarks.md). The client's address is the connection's, not a header's.
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
        request.Headers.Clear();
        request.Query = QueryCollection.Empty;
        request.QueryString = QueryString.Empty;
        if (context.Features.Get<IHttpRequestFeature>() is { } feature)
        {
            feature.RawTarget = "";
        }
    }
}
