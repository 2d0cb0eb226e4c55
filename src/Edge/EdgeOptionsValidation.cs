using CardGame.Edge.Hub;
using Microsoft.Extensions.Options;

namespace CardGame.Edge;

/// <summary>
/// What data annotations cannot say about <see cref="EdgeOptions"/>. <c>Edge:TrustedProxies</c> lists addresses or
/// networks. <c>Edge:AllowedOrigins</c> lists plain origins
/// only: the hub's CORS policy allows credentials, so a wildcard (<c>*</c>, or <c>*.example.com</c>) would let any web
/// page act for a signed-in player, and the edge refuses to start with one.
/// </summary>
public sealed class EdgeOptionsValidation : IValidateOptions<EdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeOptions options)
    {
        var badProxies = options.TrustedProxies.Where(p => !System.Net.IPNetwork.TryParse(p, out _) && !System.Net.IPAddress.TryParse(p, out _)).ToList();
        if (badProxies.Count > 0)
        {
            return ValidateOptionsResult.Fail(
                $"Edge:TrustedProxies lists addresses (10.0.0.5) or networks (10.0.0.0/8); refused: {string.Join(", ", badProxies.Select(p => $"'{p}'"))}.");
        }

        var bad = options.AllowedOrigins.Where(o => !OriginPolicy.IsWellFormed(o)).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Edge:AllowedOrigins may only list origins such as https://cards.example.com (scheme, host, optional port); refused: {string.Join(", ", bad.Select(o => $"'{o}'"))}. " +
                "A wildcard is never allowed: the hub accepts credentials, so any web page could act for a signed-in player.");
    }
}
