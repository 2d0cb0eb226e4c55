using System.Text.Json;
using System.Text.Json.Serialization;
using CardGame.LoadTest.Metrics;
using Spectre.Console;

namespace CardGame.LoadTest.Reporting;

/// <summary>Writes the final report: a table for people, or JSON for machines.</summary>
public static class ReportWriter
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string ToJson(Report report) => JsonSerializer.Serialize(report, JsonOptions);

    public static void WriteTable(IAnsiConsole console, Report report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var pace = report.Rate > 0 ? $"open loop {report.Rate:0.#} moves/s" : $"closed loop, think {report.ThinkMs:0} ms";
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{report.Scenario}: {report.Players} players, {report.Seats} seats{(report.Spectators > 0 ? $", {report.Spectators} spectators per table" : "")}{(report.QuickPlay ? $", quick play ({report.QuickPlayRooms} rooms)" : "")}, {pace}, {report.MeasuredSeconds:0.#} s measured");
        table.AddColumn("").AddColumn("").HideHeaders();
        Row(table, "edges", string.Join(", ", report.Edges));
        Row(table, "connected / seated", $"{report.Connected} / {report.Seated} (ramp-up {report.RampUpSeconds:0.#} s)");
        Row(table, "connect failures / lost", $"{report.ConnectFailures} / {report.ConnectionsLost}");
        Row(table, "reconnects / moves resent", $"{report.Reconnects} / {report.MovesResent}");
        Row(table, "actions", $"{report.Actions} ({report.ActionsPerSecond:0.#}/s) of {report.MovesDue} due in the window");
        Row(table, "misses (ack / fan-out)", $"{report.AckMisses} / {report.FanoutMisses}");
        Row(table, "games started / finished", $"{report.GamesStarted} / {report.GamesFinished}");
        Row(table, "ack latency", Latency(report.AckMs));
        Row(table, "to every other seat", Latency(report.FanoutAllMs));
        Row(table, "to one other seat", Latency(report.DeliveryMs));
        Row(table, "errors", report.Errors.Count == 0 ? "none" : string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}")));
        if (report.ErrorSamples.Count > 0)
        {
            Row(table, "first error of each kind", string.Join("; ", report.ErrorSamples.Select(e => $"{e.Key}: {e.Value}")));
        }

        Row(table, "violations", report.ViolationCount == 0 ? "none" : string.Join(", ", report.Violations.Select(e => $"{e.Key} {e.Value}")));
        Row(table, "checks", report.Checks.Count == 0 ? "none" : string.Join(", ", report.Checks.Select(e => $"{e.Key} {e.Value}")));
        if (report.OpenLoop is { } open)
        {
            Row(table, "open loop", $"due {open.Scheduled}, issued {open.Issued}, dropped {open.Dropped}, backlog {open.BacklogAtEnd}");
        }

        if (report.Server is { } server)
        {
            Row(table, "server CPU", $"{server.CpuSeconds:0.##} s ({server.CpuUtilization:0.##} cores), {server.CpuMicrosecondsPerAction:0} µs/action");
            Row(table, "server RSS", $"{server.RssAfterBytes / 1048576.0:0.#} MiB (before: {server.RssBeforeBytes / 1048576.0:0.#} MiB)");
        }

        Row(table, "load tool CPU", $"{report.LoadToolCpuSeconds:0.##} s");
        if (report.Noise is { } noise)
        {
            Row(table, "other work on the machine", $"{noise.OtherCores:0.00} cores (machine less ours), {noise.OtherProcessCores:0.00} cores "
                + $"(other processes: {string.Join(", ", noise.TopOthers)}), steal {noise.StealCores:0.00}, load average "
                + $"{noise.LoadAverageStart:0.0} → {noise.LoadAverageEnd:0.0}{(noise.Busy ? ": BUSY" : "")}");
        }
        foreach (var step in report.IdleSteps)
        {
            Row(table, $"idle at {step.Players}", $"RSS {step.RssBytes / 1048576.0:0.#} MiB, {step.BytesPerPlayer / 1024:0.#} KiB/player ({step.AddedBytesPerPlayer / 1024:0.#} KiB added)");
        }

        console.Write(table);
        foreach (var sample in report.ViolationSamples)
        {
            console.MarkupLine($"[red]{Markup.Escape(sample)}[/]");
        }
    }

    private static void Row(Table table, string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));

    private static string Latency(LatencySummary summary) => summary.ToString();
}
