using System.Net;
using CardGame.Contracts.Grains;

namespace CardGame.Grains.Tests.Balancing;

public sealed class SpreadPlanTests
{
    private static readonly SiloAddress A = Silo(1), B = Silo(2), C = Silo(3), D = Silo(4);

    [Fact]
    public void A_full_silo_moves_half_the_difference_to_a_silo_that_joins_within_the_limit()
    {
        var loads = new[] { new SiloLoad(A, 40, 80), new SiloLoad(B, 0, 0) };

        Assert.Equal([(B, 20)], SpreadPlan.Moves(loads, A, l => l.Tables, limit: 100));
        Assert.Equal([(B, 12)], SpreadPlan.Moves(loads, A, l => l.Tables, limit: 12));
        Assert.Equal([(B, 40)], SpreadPlan.Moves(loads, A, l => l.Players, limit: 100));
    }

    [Fact]
    public void Only_silos_above_the_mean_move_and_only_to_silos_below_it()
    {
        var loads = new[] { new SiloLoad(A, 40, 0), new SiloLoad(B, 0, 0) };

        Assert.Empty(SpreadPlan.Moves(loads, B, l => l.Tables, limit: 100));
    }

    [Fact]
    public void Silos_that_each_move_their_own_surplus_fill_every_emptier_silo_up_to_the_mean_together()
    {
        // Two full silos, two new ones lacking 20 and 10 of a mean of 30: each full one sends its surplus in proportion.
        var loads = new[] { new SiloLoad(A, 45, 0), new SiloLoad(B, 45, 0), new SiloLoad(C, 10, 0), new SiloLoad(D, 20, 0) };

        var fromA = SpreadPlan.Moves(loads, A, l => l.Tables, limit: 100);
        var fromB = SpreadPlan.Moves(loads, B, l => l.Tables, limit: 100);

        Assert.Equal([(C, 10), (D, 5)], fromA);
        Assert.Equal([(C, 10), (D, 5)], fromB);
    }

    [Fact]
    public void What_rounding_leaves_goes_to_the_silos_that_lack_the_most()
    {
        var loads = new[] { new SiloLoad(A, 9, 0), new SiloLoad(B, 0, 0), new SiloLoad(C, 0, 0) };

        // Mean 3: A has 6 over, B and C lack 3 each; 6 moves in all.
        Assert.Equal(6, SpreadPlan.Moves(loads, A, l => l.Tables, limit: 100).Sum(m => m.Count));
        Assert.Equal(5, SpreadPlan.Moves(loads, A, l => l.Tables, limit: 5).Sum(m => m.Count));
    }

    [Theory]
    [InlineData(21, 19)]
    [InlineData(1, 0)]
    [InlineData(1_040, 960)]
    public void A_surplus_within_the_tolerance_stays_where_it_is(int mine, int other)
    {
        var loads = new[] { new SiloLoad(A, mine, 0), new SiloLoad(B, other, 0) };

        Assert.Empty(SpreadPlan.Moves(loads, A, l => l.Tables, limit: 100));
    }

    [Fact]
    public void A_surplus_past_the_tolerance_moves()
    {
        var loads = new[] { new SiloLoad(A, 22, 0), new SiloLoad(B, 18, 0) };

        Assert.Equal([(B, 2)], SpreadPlan.Moves(loads, A, l => l.Tables, limit: 100));
    }

    [Fact]
    public void A_silo_alone_or_missing_from_the_reports_moves_nothing()
    {
        Assert.Empty(SpreadPlan.Moves([new SiloLoad(A, 40, 0)], A, l => l.Tables, limit: 100));
        Assert.Empty(SpreadPlan.Moves([new SiloLoad(B, 40, 0), new SiloLoad(C, 0, 0)], A, l => l.Tables, limit: 100));
    }

    private static SiloAddress Silo(int n) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11_110 + n), 1);
}
