using System.Text;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Auth;

/// <summary>
/// Fails closed: an edge whose signing key is missing or too short does not start (options are validated at start),
/// with a message that says what to set. Only <see cref="DevelopmentSigningKey"/>, in Development, fills in a key.
/// </summary>
public sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            return ValidateOptionsResult.Fail(
                "Auth:SigningKey is not set. Outside the Development environment every edge needs the same random secret of at least " +
                $"{AuthOptions.MinimumKeyBytes} bytes to sign and check tokens, e.g. Auth__SigningKey=$(openssl rand -base64 48). The edge does not start without it.");
        }

        var bytes = Encoding.UTF8.GetByteCount(options.SigningKey);
        return bytes < AuthOptions.MinimumKeyBytes
            ? ValidateOptionsResult.Fail(
                $"Auth:SigningKey is {bytes} bytes long; it must be at least {AuthOptions.MinimumKeyBytes} (HS256 wants 256 bits), " +
                "e.g. Auth__SigningKey=$(openssl rand -base64 48). The edge does not start with a short key.")
            : ValidateOptionsResult.Success;
    }
}
