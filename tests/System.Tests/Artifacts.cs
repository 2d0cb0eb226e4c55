namespace CardGame.SystemTests;

/// <summary>Where the browser tests leave their screenshots: beside the test assembly, and the README's picture.</summary>
public static class Artifacts
{
    public static string ScreenshotDirectory { get; } =
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public static string Screenshot(string name) => Path.Combine(ScreenshotDirectory, name + ".png");

    /// <summary>
    /// Where the README's picture of a game in progress goes: docs/images/game.png of this checkout when
    /// <c>CARDGAME_UPDATE_README_IMAGE=1</c> is set (so an ordinary test run leaves the work tree clean), else null.
    /// </summary>
    public static string? ReadmeImage()
    {
        if (Environment.GetEnvironmentVariable("CARDGAME_UPDATE_README_IMAGE") != "1")
        {
            return null;
        }

        return Path.Combine(Directory.CreateDirectory(Path.Combine(CardGame.TestSupport.ProcessTopology.RepositoryRoot(), "docs", "images")).FullName, "game.png");
    }
}
