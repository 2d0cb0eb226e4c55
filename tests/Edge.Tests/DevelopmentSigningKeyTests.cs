using CardGame.Edge.Auth;
using Microsoft.Extensions.Hosting;

namespace CardGame.Edge.Tests;

public sealed class DevelopmentSigningKeyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cardgame-devkey-").FullName;

    [Fact]
    public async Task Edges_starting_at_once_on_one_machine_share_one_development_key()
    {
        var file = Path.Combine(_directory, "nested", "dev-signing-key");

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => DevelopmentSigningKey.LoadOrCreate(file))));

        Assert.Single(keys.Distinct());
        Assert.True(keys[0].Length >= 32);
        Assert.Equal(keys[0], File.ReadAllText(file));
        Assert.Equal(keys[0], DevelopmentSigningKey.LoadOrCreate(file));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(file)!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void A_configured_key_is_kept()
    {
        var options = new AuthOptions { SigningKey = new string('k', 40) };

        new DevelopmentSigningKey(Environment(Environments.Development), NullLogger<DevelopmentSigningKey>.Instance).PostConfigure(null, options);

        Assert.Equal(new string('k', 40), options.SigningKey);
        Assert.Null(options.DevelopmentKeyFile);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_no_key_is_made_up(string environment)
    {
        var options = new AuthOptions();

        new DevelopmentSigningKey(Environment(environment), NullLogger<DevelopmentSigningKey>.Instance).PostConfigure(null, options);

        Assert.Null(options.SigningKey);
        Assert.Null(options.DevelopmentKeyFile);
    }

    private static IHostEnvironment Environment(string name) =>
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = name };

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
