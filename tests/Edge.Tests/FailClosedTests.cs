using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

/// <summary>
/// An edge configured unsafely does not start: outside Development it needs a signing key of 32+ bytes, and it never
/// lets every origin use the hub with credentials. Each case starts the production Program and expects it to stop
/// with a message that says what to fix.
/// </summary>
public sealed class FailClosedTests
{
    [Fact]
    public async Task Outside_development_an_edge_without_a_signing_key_refuses_to_start()
    {
        var error = await StartFailsAsync(signingKey: null);

        Assert.Contains("Auth:SigningKey is not set", error);
        Assert.Contains("openssl rand", error);
    }

    [Theory]
    [InlineData("short-key")]
    [InlineData("0123456789abcdef0123456789abcde")] // 31 bytes
    public async Task Outside_development_an_edge_with_a_signing_key_under_32_bytes_refuses_to_start(string key)
    {
        var error = await StartFailsAsync(key);

        Assert.Contains($"Auth:SigningKey is {key.Length} bytes long; it must be at least 32", error);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://*.example.com")]
    [InlineData("https://cards.example.com/lobby")]
    public async Task An_edge_refuses_to_start_with_a_wildcard_or_malformed_allowed_origin(string origin)
    {
        var error = await StartFailsAsync(TestTokens.SigningKey, origin);

        Assert.Contains("Edge:AllowedOrigins may only list origins", error);
        Assert.Contains($"'{origin}'", error);
    }

    [Fact]
    public async Task A_key_of_32_bytes_is_enough_even_in_fewer_characters()
    {
        // 16 two-byte characters: 32 bytes of UTF-8.
        await using var edge = await EdgeServer.StartAsync(Settings(new string('é', 16)), waitUntilReady: false);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await edge.Http.GetAsync("/health/live")).StatusCode);
    }

    private static async Task<string> StartFailsAsync(string? signingKey, string? allowedOrigin = null)
    {
        var settings = Settings(signingKey);
        if (allowedOrigin is not null)
        {
            settings["Edge:AllowedOrigins:0"] = allowedOrigin;
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await EdgeServer.StartAsync(settings, waitUntilReady: false)).DisposeAsync());
        return error.ToString();
    }

    /// <summary>An edge that would reach no cluster (it never gets that far): the refusal comes before anything else.</summary>
    private static Dictionary<string, string?> Settings(string? signingKey) => new()
    {
        ["Orleans:GatewayPort"] = FreePorts.Next().ToString(),
        ["Orleans:ClusterId"] = "nowhere",
        ["Auth:SigningKey"] = signingKey,
    };
}
