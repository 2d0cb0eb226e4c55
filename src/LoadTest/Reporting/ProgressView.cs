using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Metrics;
using Spectre.Console;

namespace CardGame.LoadTest.Reporting;

/// <summary>
/// Live progress on stderr, once a second: a Spectre.Console live table on a terminal, a plain line every 5 s
/// otherwise (logs, CI, the bench script).
/// </summary>
public sealed class ProgressView(IAnsiConsole console, RunMetrics metrics, Violations violations, Func<string> phase)
{
    public async Task RunAsync(CancellationToken stop)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Live(Render(0)).AutoClear(false).StartAsync(async context =>
            {
                var last = metrics.AllActions;
                while (!stop.IsCancellationRequested)
                {
                    await Delay(TimeSpan.FromSeconds(1), stop);
                    var now = metrics.AllActions;
                    context.UpdateTarget(Render(now - last));
                    context.Refresh();
                    last = now;
                }
            });
        }
        else
        {
            var last = metrics.AllActions;
            while (!stop.IsCancellationRequested)
            {
                await Delay(TimeSpan.FromSeconds(5), stop);
                var now = metrics.AllActions;
                var ack = metrics.Ack.Summary();
                var fanout = metrics.FanoutAll.Summary();
                await Console.Error.WriteLineAsync(
                    $"[{phase()}] connected {metrics.Connected}, seated {metrics.Seated}, {(now - last) / 5.0:0} actions/s, "
                    + $"errors {metrics.ErrorTotal}, violations {violations.Total}, ack p50/p99 {ack.P50:0.0}/{ack.P99:0.0} ms, "
                    + $"fan-out p99 {fanout.P99:0.0} ms");
                last = now;
            }
        }
    }

    private Table Render(long actionsLastSecond)
    {
        var ack = metrics.Ack.Summary();
        var fanout = metrics.FanoutAll.Summary();
        var table = new Table().Border(TableBorder.Rounded).Title($"CardGame load test: {phase()}");
        table.AddColumn("connected").AddColumn("seated").AddColumn("actions/s").AddColumn("errors").AddColumn("violations")
            .AddColumn("ack p50 / p99 ms").AddColumn("fan-out p50 / p99 ms");
        table.AddRow(
            metrics.Connected.ToString(),
            metrics.Seated.ToString(),
            actionsLastSecond.ToString(),
            metrics.ErrorTotal.ToString(),
            violations.Total == 0 ? "0" : $"[red]{violations.Total}[/]",
            $"{ack.P50:0.0} / {ack.P99:0.0}",
            $"{fanout.P50:0.0} / {fanout.P99:0.0}");
        return table;
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
