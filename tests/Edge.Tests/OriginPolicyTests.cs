using CardGame.Edge.Hub;
using Microsoft.AspNetCore.Http;

namespace CardGame.Edge.Tests;

public sealed class OriginPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5101", "127.0.0.1:5101", true)]
    [InlineData("http://localhost:5101", "LOCALHOST:5101", true)]
    [InlineData("https://cards.example.com", "cards.example.com", true)]
    [InlineData("https://cards.example.com:8443", "cards.example.com", false)]
    [InlineData("http://127.0.0.1:5102", "127.0.0.1:5101", false)]
    [InlineData("http://evil.example", "127.0.0.1:5101", false)]
    [InlineData("null", "127.0.0.1:5101", false)]
    [InlineData("file:///home/me/page.html", "127.0.0.1:5101", false)]
    public void Same_origin_means_the_same_host_and_port(string origin, string host, bool allowed)
    {
        Assert.Equal(allowed, OriginPolicy.IsAllowed(origin, new HostString(host), []));
    }

    [Theory]
    [InlineData("https://play.example.com", new[] { "https://play.example.com/" }, true)]
    [InlineData("https://play.example.com", new[] { "https://other.example.com" }, false)]
    [InlineData("https://anything.example", new[] { "*" }, false)]
    public void Listed_origins_are_allowed(string origin, string[] allowedOrigins, bool allowed)
    {
        Assert.Equal(allowed, OriginPolicy.IsAllowed(origin, new HostString("edge.internal:8080"), allowedOrigins));
    }

    [Theory]
    [InlineData("https://play.example.com", true)]
    [InlineData("http://127.0.0.1:8000/", true)]
    [InlineData("*", false)]
    [InlineData("https://*.example.com", false)]
    [InlineData("https://play.example.com/lobby", false)]
    [InlineData("play.example.com", false)]
    [InlineData("ftp://play.example.com", false)]
    public void Only_plain_origins_can_be_listed(string origin, bool wellFormed)
    {
        Assert.Equal(wellFormed, OriginPolicy.IsWellFormed(origin));
    }
}
