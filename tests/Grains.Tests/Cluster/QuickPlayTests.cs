using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

[Collection(QuickPlayCollection.Name)]
public sealed class QuickPlayTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Eight_simultaneous_quick_plays_for_4_seats_fill_two_rooms_which_deal_by_themselves()
    {
        var players = await SignedInAsync(8);

        var results = await Task.WhenAll(players.Select(p => p.QuickPlay(4)));

        Assert.All(results, r => Assert.True(r.IsOk, r.Error?.Text));
        var rooms = results.Select(r => r.Value!.RoomId).Distinct().ToList();
        Assert.Equal(2, rooms.Count);
        foreach (var roomId in rooms)
        {
            var view = (await Grains.GetGrain<ITableGrain>(roomId).GetView("nobody")).Value!;
            Assert.Equal(4, view.Players.Count);
            Assert.Equal(Phases.Playing, view.Phase);
            Assert.NotNull(view.TurnEndsAt);
        }

        Assert.Equal(players.Select(p => p.GetPrimaryKeyString()).Order(), (await SeatedAsync(rooms)).Order());
    }

    [Fact]
    public async Task A_flood_of_quick_plays_of_every_size_seats_each_caller_once_and_no_room_over_its_seats()
    {
        var players = await SignedInAsync(60);

        // Every player asks three times at once (a client retrying), with sizes mixed, "any" included.
        var results = await Task.WhenAll(players.SelectMany((p, i) => Enumerable.Range(0, 3).Select(_ => p.QuickPlay(i % 6 == 0 ? null : 2 + (i % 5)))));

        Assert.All(results, r => Assert.True(r.IsOk, r.Error?.Text));
        var rooms = results.Select(r => r.Value!.RoomId).Distinct().ToList();
        var seated = await SeatedAsync(rooms);
        Assert.Equal(players.Select(p => p.GetPrimaryKeyString()).Order(), seated.Order());
        foreach (var player in players)
        {
            var mine = results.Where(r => r.Value!.Players.Any(v => v.PlayerId == player.GetPrimaryKeyString())).Select(r => r.Value!.RoomId).Distinct();
            Assert.Single(mine);
        }

        // Again while seated: the same room (idempotent).
        var again = await players[7].QuickPlay(3);
        Assert.Equal((await players[7].GetStats()).RoomId, again.Value!.RoomId);
        Assert.Equal(ErrorCodes.BadRequest, (await players[7].QuickPlay(7)).Error?.Code);

        // Everyone leaves, so the rooms close and the other test finds none to fill.
        foreach (var player in players)
        {
            Assert.True((await player.LeaveRoom((await player.GetStats()).RoomId!)).IsOk);
        }
    }

    private async Task<IPlayerGrain[]> SignedInAsync(int count)
    {
        var players = Enumerable.Range(0, count).Select(_ => Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}")).ToArray();
        await Task.WhenAll(players.Select((p, i) => p.SignIn($"quick{i}")));
        return players;
    }

    /// <summary>Everyone seated at <paramref name="rooms"/>, from the tables (asserting none is over its seats).</summary>
    private async Task<List<string>> SeatedAsync(IEnumerable<string> rooms)
    {
        var seated = new List<string>();
        foreach (var roomId in rooms)
        {
            var view = (await Grains.GetGrain<ITableGrain>(roomId).GetView("nobody")).Value!;
            Assert.InRange(view.Players.Count, 1, view.Seats);
            seated.AddRange(view.Players.Select(p => p.PlayerId));
        }

        return seated;
    }
}
