using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class EdgeHostTests(EdgesFixture fixture)
{
    [Fact]
    public async Task An_edge_joined_to_the_cluster_is_alive_ready_and_healthy()
    {
        foreach (var edge in fixture.Edges)
        {
            using var live = await edge.Http.GetAsync("/health/live");
            using var ready = await edge.Http.GetAsync("/health/ready");
            using var health = await edge.Http.GetAsync("/health");

            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task The_edge_serves_the_browser_client_from_wwwroot()
    {
        using var response = await fixture.Edge1.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/js/main.js")]
    [InlineData("/health")]
    public async Task Every_response_carries_a_content_security_policy_and_forbids_sniffing_and_framing(string path)
    {
        using var response = await fixture.Edge1.Http.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public void An_edge_as_shipped_reads_and_writes_its_client_sockets_without_a_thread_pool_hop()
    {
        foreach (var edge in fixture.Edges)
        {
            // What the running Kestrel's socket transport was built with (Edge:InlineSocketScheduling, default true).
            var sockets = edge.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

            Assert.True(sockets.UnsafePreferInlineScheduling);
        }
    }

    [Fact]
    public void A_hub_invocation_gets_its_hub_from_a_singleton_activator_so_its_service_scope_resolves_nothing()
    {
        foreach (var edge in fixture.Edges)
        {
            // SignalR resolves the activator from each invocation's scope: scoped (its default), every scope would keep one.
            using var first = edge.Services.CreateScope();
            using var second = edge.Services.CreateScope();
            var activator = first.ServiceProvider.GetRequiredService<IHubActivator<Hub.GameHub>>();

            Assert.IsType<Hub.GameHubActivator>(activator);
            Assert.Same(activator, second.ServiceProvider.GetRequiredService<IHubActivator<Hub.GameHub>>());
            var hub = activator.Create();
            Assert.NotSame(hub, activator.Create());
        }
    }

    [Fact]
    public void Each_edge_has_its_own_edge_id()
    {
        var ids = fixture.Edges.Select(e => e.Services.GetRequiredService<Cluster.EdgeNode>().EdgeId).ToList();

        Assert.Equal(2, ids.Distinct().Count());
    }
}
