using System.Text;
using CardGame.Silo;

namespace CardGame.SystemTests.Topology;

/// <summary>The silo's dashboard is never served without a password, and only for the right one.</summary>
public sealed class DashboardAuthTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short-pass1")]
    public void A_silo_with_the_dashboard_on_and_no_good_password_does_not_start(string? password)
    {
        var result = new DashboardAuth.Validation().Validate(null, new SiloOptions { Dashboard = true, DashboardPassword = password });

        Assert.True(result.Failed);
        Assert.Contains("Silo:DashboardPassword is not set", result.FailureMessage);
    }

    [Fact]
    public void Without_the_dashboard_no_password_is_needed() =>
        Assert.True(new DashboardAuth.Validation().Validate(null, new SiloOptions()).Succeeded);

    [Theory]
    [InlineData("operator", "a-long-password", true)]
    [InlineData("operator", "a-long-passworD", false)]
    [InlineData("Operator", "a-long-password", false)]
    [InlineData("operator", "", false)]
    public void Only_the_configured_user_and_password_get_in(string user, string password, bool allowed)
    {
        var options = new SiloOptions { Dashboard = true, DashboardPassword = "a-long-password" };
        var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

        Assert.Equal(allowed, DashboardAuth.IsOperator(header, options));
        Assert.False(DashboardAuth.IsOperator("Bearer abc", options));
        Assert.False(DashboardAuth.IsOperator("Basic !!!", options));
    }
}
