namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class QuickPlayTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Simultaneous_quick_plays_through_two_edges_fill_rooms_that_deal_when_full_with_nobody_seated_twice()
    {
        // 10 players for 5 seats and 18 for 6, alternating edges, each sending QuickPlay twice at once (a nervous client).
        var sizes = Enumerable.Repeat(5, 10).Concat(Enumerable.Repeat(6, 18)).ToList();
        var players = await Task.WhenAll(sizes.Select((_, i) => GameClient.SignInAsync(i % 2 == 0 ? fixture.Edge1 : fixture.Edge2, $"quick{i}")));
        try
        {
            var views = await Task.WhenAll(players.SelectMany((p, i) => new[]
            {
                p.InvokePatientlyAsync<TableView>("QuickPlay", new QuickPlayRequest(sizes[i])),
                p.InvokePatientlyAsync<TableView>("QuickPlay", new QuickPlayRequest(sizes[i])),
            }));

            for (var i = 0; i < players.Length; i++)
            {
                Assert.Equal(views[2 * i].RoomId, views[(2 * i) + 1].RoomId);
            }

            var rooms = views.Select(v => v.RoomId).Distinct().ToList();
            Assert.Equal(5, rooms.Count); // 2 of 5 seats and 3 of 6
            foreach (var roomId in rooms)
            {
                var view = await players[0].InvokeAsync<TableView>("GetTable", roomId);
                Assert.Equal(view.Seats, view.Players.Count);
                Assert.Equal(Phases.Playing, view.Phase);
                Assert.All(view.Players, p => Assert.Contains(players, c => c.PlayerId == p.PlayerId));
            }

            // Each player sits at exactly one of them, says the table, and got its own hand: in `started`, or (the one
            // whose seat dealt) in the view its QuickPlay returned, which is past `started`.
            for (var i = 0; i < players.Length; i++)
            {
                var player = players[i];
                var mine = views.Where(v => v.Players.Any(p => p.PlayerId == player.PlayerId)).Select(v => v.RoomId).Distinct().ToList();
                Assert.Single(mine);
                var table = await player.InvokeAsync<TableView>("GetTable", mine[0]);
                Assert.Equal(5, table.Hand!.Count);
                var dealtHand = views[2 * i].Phase == Phases.Playing
                    ? views[2 * i].Hand!
                    : (await player.WaitForEventAsync(e => e.RoomId == mine[0] && e.Kind == EventKinds.Started)).Hand!;
                Assert.Equal(table.Hand.Order(), dealtHand.Order());
            }

            await players[0].AssertFailsAsync(ErrorCodes.BadRequest, "QuickPlay", new QuickPlayRequest(9));
        }
        finally
        {
            await Task.WhenAll(players.Select(p => p.DisposeAsync().AsTask()));
        }
    }
}
