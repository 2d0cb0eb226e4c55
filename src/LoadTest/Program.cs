using System.Text.Json;
using CardGame.LoadTest.Cli;
using CardGame.LoadTest.Lobby;
using CardGame.LoadTest.Reporting;
using CardGame.LoadTest.Running;
using Spectre.Console;

var root = LoadTestCommand.Create(async (options, cancellationToken) =>
{
    var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    if (options.Scenario == Scenario.Lobby)
    {
        var lobby = await new LobbyRunner(options, stderr).RunAsync(cancellationToken);
        var lobbyJson = JsonSerializer.Serialize(lobby, ReportWriter.JsonOptions);
        if (options.JsonFile is { } lobbyFile)
        {
            await File.WriteAllTextAsync(lobbyFile.FullName, lobbyJson, CancellationToken.None);
        }

        Console.Out.WriteLine(lobbyJson);
        return 0;
    }

    var report = await new LoadRunner(options, stderr).RunAsync(cancellationToken);
    var json = ReportWriter.ToJson(report);
    if (options.JsonFile is { } file)
    {
        await File.WriteAllTextAsync(file.FullName, json, CancellationToken.None);
    }

    if (options.Json)
    {
        Console.Out.WriteLine(json);
    }
    else
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Profile.Width = 160;
        }

        ReportWriter.WriteTable(AnsiConsole.Console, report);
    }

    return report.ExitCode;
});
return await root.Parse(args).InvokeAsync();
