using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CardGame.Silo;

/// <summary>
/// The Orleans Dashboard shows every grain and silo and is served only with <see cref="SiloOptions.DashboardPassword"/>
/// (HTTP basic auth; put TLS in front of it when it leaves the machine). A silo with the dashboard on and no password
/// does not start.
/// </summary>
public static class DashboardAuth
{
    public const string Path = "/dashboard";
    public const int MinimumPasswordLength = 12;

    public static IApplicationBuilder UseDashboardAuth(this IApplicationBuilder app, SiloOptions options) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), dashboard => dashboard.Use((context, next) =>
        {
            if (IsOperator(context.Request.Headers.Authorization.ToString(), options))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"CardGame silo\", charset=\"UTF-8\"";
            return Task.CompletedTask;
        }));

    public static bool IsOperator(string authorization, SiloOptions options)
    {
        if (options.DashboardPassword is not { Length: > 0 } password
            || !AuthenticationHeaderValue.TryParse(authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromBase64String(header.Parameter);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes($"{options.DashboardUser}:{password}"));
    }

    /// <summary>Validates at start: the dashboard is never served without a password.</summary>
    public sealed class Validation : IValidateOptions<SiloOptions>
    {
        public ValidateOptionsResult Validate(string? name, SiloOptions options) =>
            !options.Dashboard || options.DashboardPassword is { Length: >= MinimumPasswordLength }
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"Silo:Dashboard is on but Silo:DashboardPassword is not set (or shorter than {MinimumPasswordLength} characters): " +
                    "the dashboard shows every grain and silo and is served to operators only. Set a password or turn the dashboard off.");
    }
}
