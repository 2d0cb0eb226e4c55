using Microsoft.AspNetCore.Http.Features;

namespace CardGame.Edge.Web;

/// <summary>
/// A WebSocket connection keeps the HTTP request that opened it (SignalR keeps its <see cref="HttpContext"/>) until it
/// closes. Once the connection is open nothing reads that request's headers or query again, so they are let go: about
/// 1 KB per idle connection (the bearer token alone is about 540 bytes), and the token does not stay in memory for the
/// connection's life. The client's address is the connection's, not a header's: it stays.
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
