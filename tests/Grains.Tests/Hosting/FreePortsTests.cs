using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Hosting;

/// <summary>The ports tests give to the servers they start as processes (tests/TestSupport/FreePorts.cs).</summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Ports_lie_outside_the_kernels_ephemeral_range_and_are_never_given_twice()
    {
        var (low, high) = FreePorts.EphemeralRange();
        var ports = Enumerable.Range(0, 50).Select(_ => FreePorts.Next()).ToList();

        Assert.All(ports, port => Assert.True(port < low || port > high, $"{port} lies in the ephemeral range {low}-{high}"));
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public async Task A_given_port_stays_held_against_other_processes()
    {
        var port = FreePorts.Next();

        // Another process cannot take the port's lock while this process lives: flock(1) without waiting fails (exit 1).
        var path = Path.Combine(Path.GetTempPath(), "cardgame-test-ports", $"{port}.lock");
        var info = new System.Diagnostics.ProcessStartInfo("flock") { ArgumentList = { "--nonblock", "--exclusive", path, "true" } };
        using var other = System.Diagnostics.Process.Start(info)!;
        await other.WaitForExitAsync();
        Assert.Equal(1, other.ExitCode);
    }

    [Fact]
    public void A_test_clusters_silo_and_gateway_ports_lie_outside_the_ephemeral_range_each_held()
    {
        var (low, high) = FreePorts.EphemeralRange();
        using var allocator = new ClusterPorts();

        var (silo, gateway) = allocator.AllocateConsecutivePortPairs(5);

        var ports = Enumerable.Range(silo, 5).Concat(Enumerable.Range(gateway, 5)).ToList();
        Assert.All(ports, port => Assert.True(port < low || port > high, $"{port} lies in the ephemeral range {low}-{high}"));
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.True(File.Exists(Path.Combine(Path.GetTempPath(), "cardgame-test-ports", $"{port}.lock"))));
        Assert.DoesNotContain(FreePorts.Next(), ports);
    }
}
