using System.Text.RegularExpressions;
using CardGame.Contracts.Grains;

namespace CardGame.Edge.Tests;

/// <summary>
/// An edge's periodic work on every player and every table (re-subscriptions) goes out a slice at a
/// time over its period, not as one burst of grain calls that the moves of the moment would queue behind; and between
/// them it looks only at the tables that changed, not at every table it follows.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed partial class PeriodicWorkSpreadTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Every_followed_table_is_subscribed_again_each_period_a_few_at_a_time_not_all_at_once()
    {
        const int Tables = 20;
        await using var edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Edge:SubscriptionRefreshSeconds"] = "2",
        });
        var clients = new List<GameClient>();
        try
        {
            for (var i = 0; i < Tables; i++)
            {
                var client = await GameClient.SignInAsync(edge, $"table{i}");
                clients.Add(client);
                var room = await client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"spread {i}", 2));
                await client.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            }

            var seated = RefreshBatches(edge).Count;
            var batches = await WaitForAsync(() => RefreshBatches(edge).Skip(seated).ToList(), b => b.Sum() >= 2 * Tables);

            Assert.True(batches.Max() <= Tables / 2, $"re-subscriptions in batches of {string.Join(", ", batches)} tables: one burst carried most of them");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task When_nothing_changes_an_edge_looks_at_each_followed_table_once_a_period_not_at_every_tick()
    {
        const int Tables = 20;
        await using var edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Edge:SubscriptionRefreshSeconds"] = "2",
        });
        var subscriptions = edge.Services.GetRequiredService<Delivery.TableSubscriptions>();
        var clients = new List<GameClient>();
        try
        {
            for (var i = 0; i < Tables; i++)
            {
                var client = await GameClient.SignInAsync(edge, $"quiet{i}");
                clients.Add(client);
                var room = await client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"quiet {i}", 2));
                await client.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            }

            // One whole period after the last table was seated, then two more, counted by the refreshes themselves.
            var seated = RefreshBatches(edge).Count;
            await WaitForAsync(() => RefreshBatches(edge).Skip(seated).ToList(), b => b.Sum() >= Tables);
            var from = RefreshBatches(edge).Count;
            var checkedBefore = subscriptions.TablesChecked;
            await WaitForAsync(() => RefreshBatches(edge).Skip(from).ToList(), b => b.Sum() >= 2 * Tables);
            var looked = subscriptions.TablesChecked - checkedBefore;

            // Each table about twice (its refresh each period); the walk over every table at each of the 40 ticks of
            // these two periods looked 800 times.
            Assert.True(looked <= 3 * Tables, $"{looked} looks at {Tables} unchanged tables over two refresh periods");
            Assert.Equal(Tables, subscriptions.Count);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static List<int> RefreshBatches(EdgeServer edge) => Counts(edge, RefreshingLine());

    private static List<int> Counts(EdgeServer edge, Regex line) =>
        [.. edge.Logs.Lines.Select(l => line.Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    private static async Task<List<int>> WaitForAsync(Func<List<int>> read, Func<List<int>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var batches = read();
        while (!done(batches))
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {batches.Sum()} reported in 60 s: {string.Join(", ", batches)}");
            await Task.Delay(100);
            batches = read();
        }

        return batches;
    }

    [GeneratedRegex(@"TableSubscriptions: Refreshing the subscriptions to (\d+) table")]
    private static partial Regex RefreshingLine();
}
