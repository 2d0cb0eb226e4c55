using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>Lets pages of <see cref="EdgeOptions.AllowedOrigins"/> call the hub's negotiate endpoint cross-origin.</summary>
public sealed class ConfigureHubCors(IOptions<EdgeOptions> edge) : IConfigureOptions<CorsOptions>
{
    public const string PolicyName = "game-hub";

    public void Configure(CorsOptions options) => options.AddPolicy(PolicyName, policy => policy
        .SetIsOriginAllowed(origin => OriginPolicy.IsListed(origin, edge.Value.AllowedOrigins))
        .AllowAnyHeader()
        .WithMethods("GET", "POST")
        .AllowCredentials());
}
