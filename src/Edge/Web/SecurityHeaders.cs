namespace CardGame.Edge.Web;

/// <summary>
/// Browser hardening on every response: the page may run only its own scripts and styles (no inline script, no
/// <c>eval</c>), talk only to its own origin, and never be framed (clickjacking); browsers must not guess content
/// types. The web client needs nothing more: its scripts are files under <c>wwwroot</c>, its icon a <c>data:</c> image.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        // frame-ancestors supersedes it; kept for browsers that only know X-Frame-Options.
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    });
}
