using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Auth;

/// <summary>
/// In the <c>Development</c> environment only, fills in <see cref="AuthOptions.SigningKey"/> when none is configured: a
/// random key kept in a file under the user's home (or temp) directory, so every edge started by this user on this
/// machine signs and accepts the same tokens. Fine for a laptop, never for production: it warns loudly. In any other
/// environment a missing key stays missing, and <see cref="AuthOptionsValidation"/> stops the edge.
/// </summary>
public sealed partial class DevelopmentSigningKey(IHostEnvironment environment, ILogger<DevelopmentSigningKey> logger) : IPostConfigureOptions<AuthOptions>
{
    public void PostConfigure(string? name, AuthOptions options)
    {
        if (!string.IsNullOrEmpty(options.SigningKey) || !environment.IsDevelopment())
        {
            return;
        }

        var file = DefaultFile();
        options.SigningKey = LoadOrCreate(file);
        options.DevelopmentKeyFile = file;
        LogDevelopmentKey(logger, file);
    }

    public static string DefaultFile()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        var root = string.IsNullOrEmpty(home) ? Path.GetTempPath() : home;
        return Path.Combine(root, "cardgame", "dev-signing-key");
    }

    /// <summary>Reads the key in <paramref name="file"/>, or creates it; safe when several edges start at once.</summary>
    public static string LoadOrCreate(string file)
    {
        if (TryRead(file) is { } existing)
        {
            return existing;
        }

        var directory = Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        try
        {
            // Creating the file exclusively (O_EXCL) decides which of several edges starting at once writes the key.
            // (A move of a temporary file is not enough: where the file system has no hard links, .NET moves with a
            // check, then a rename, and two edges could both publish their own key.)
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(new FileStream(file, create)))
            {
                writer.Write(key);
            }

            return key;
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another edge created it first and writes its key at once: read it as soon as it is there.
            for (var attempt = 0; attempt < 100; attempt++)
            {
                if (TryRead(file) is { } written)
                {
                    return written;
                }

                Thread.Sleep(20);
            }

            throw new InvalidOperationException($"The development signing key file {file} is unreadable or too short; delete it.");
        }
    }

    private static string? TryRead(string file)
    {
        try
        {
            var key = File.ReadAllText(file).Trim();
            return key.Length >= 32 ? key : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "!!! Auth:SigningKey is not set: tokens are signed with a DEVELOPMENT key stored in {KeyFile}. " +
        "Anyone who can read that file can sign in as any player. Set Auth:SigningKey (the same on every edge) in production. !!!")]
    private static partial void LogDevelopmentKey(ILogger logger, string keyFile);
}
