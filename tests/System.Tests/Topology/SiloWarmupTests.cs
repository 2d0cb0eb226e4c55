using CardGame.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace CardGame.SystemTests.Topology;

/// <summary>
/// A silo started as in production (<c>SiloWarmup</c>) runs its table code before it reports ready (the second silo also
/// takes a made-up room migrated from the first), and the warm-up stores nothing: no table, no player.
/// </summary>
public sealed class SiloWarmupTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_warms_up_its_table_code_before_it_is_ready_and_stores_nothing()
    {
        // Returns once the silo answers 200 on /health/ready.
        await using var topology = await ProcessTopology.StartAsync(silos: 2, edges: 0, nginx: false);
        var (first, second) = (topology.Silos[0], topology.Silos[1]);

        // The console logger writes on its own thread: the lines logged before readiness may still be on their way.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(first.Output.Contains("made-up rooms looked up", StringComparison.Ordinal) && second.Output.Contains("migrated here", StringComparison.Ordinal))
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var silo in topology.Silos)
        {
            var warmup = silo.Output.Split('\n').Where(l => l.Contains("Warm-up", StringComparison.Ordinal)).ToList();
            output.WriteLine($"{silo.Name}:\n{string.Join('\n', warmup)}");
            Assert.Contains(warmup, l => l.Contains("Warm-up: a game of", StringComparison.Ordinal));
            Assert.Contains(warmup, l => l.Contains("made-up rooms looked up on this silo", StringComparison.Ordinal));
            Assert.DoesNotContain(warmup, l => l.Contains("Warm-up of", StringComparison.Ordinal));
        }

        Assert.Contains("a made-up room migrated here from another silo", second.Output, StringComparison.Ordinal);

        var db = await topology.Redis.DatabaseAsync();
        var keys = db.Multiplexer.GetServers().SelectMany(s => s.Keys(pattern: "*")).Select(k => (string)k!).ToList();
        output.WriteLine($"redis keys: {string.Join(", ", keys)}");
        Assert.DoesNotContain(keys, k => k.Contains("table", StringComparison.OrdinalIgnoreCase) || k.Contains("player", StringComparison.OrdinalIgnoreCase));
    }
}
