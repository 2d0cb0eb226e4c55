using System.Diagnostics;
using CardGame.Edge.Lifecycle;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// A draining edge tells its clients to move in waves spread over <c>Edge:DrainSpreadMilliseconds</c>, so the edge
/// they reconnect to takes them a few at a time; every client is told.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class DrainSpreadTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private const int Clients = 16;

    [Fact]
    public async Task A_draining_edge_tells_its_clients_to_move_in_waves_over_the_spread()
    {
        await using var edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Edge:DrainSpreadMilliseconds"] = "4000",
            ["Edge:DrainSeconds"] = "20",
        });
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => GameClient.SignInAsync(edge, $"drained{i}")));
        try
        {
            var clock = Stopwatch.StartNew();
            var told = clients.Select(c => c.Closed.ContinueWith(t => (Reason: t.Result?.Message ?? "", At: clock.Elapsed), TaskScheduler.Default)).ToList();
            var drain = edge.Services.GetRequiredService<EdgeDrain>().DrainAsync();

            var closes = await Task.WhenAll(told).WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(string.Join(", ", closes.Select(c => $"{c.At.TotalMilliseconds:F0} ms")));
            Assert.All(closes, c => Assert.Contains("server_draining", c.Reason, StringComparison.Ordinal));
            // The last wave leaves at least the spread after the first; a close is not delivered earlier than sent, and
            // the first wave's is not held back for seconds while later ones go out at once.
            var span = closes.Max(c => c.At) - closes.Min(c => c.At);
            Assert.True(span >= TimeSpan.FromSeconds(1), $"every client was told within {span.TotalMilliseconds:F0} ms: not spread");
            await drain.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
