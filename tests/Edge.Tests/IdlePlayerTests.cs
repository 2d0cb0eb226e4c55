using CardGame.Contracts.Grains;

namespace CardGame.Edge.Tests;

/// <summary>
/// A seated player who does nothing needs no player grain in memory: the tables learn who is connected from the lists
/// the edges send with their subscriptions, so neither staying connected nor disconnecting calls the player grain.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class IdlePlayerTests(EdgesFixture fixture)
{
    [Fact]
    public async Task Seated_players_who_stay_or_disconnect_wake_no_player_grain_and_the_table_still_sees_who_left()
    {
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        var bob = await GameClient.SignInAsync(fixture.Edge2, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("idle", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var bobJoined = await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await alice.WaitForSeqAsync(room.RoomId, bobJoined.Seq);

        // Every activation idle now leaves memory (the tables too: they come back from storage when the edges refresh).
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.Empty(await PlayerActivationsAsync(management, alice.PlayerId!, bob.PlayerId!));

        // Bob's only connection closes: the table, reactivated without any list, hears it from bob's edge.
        await bob.DisposeAsync();
        var gone = await alice.WaitForEventAsync(e => e.RoomId == room.RoomId && e.Kind == EventKinds.Connection);
        Assert.Equal((bob.PlayerId, false), (gone.PlayerId, gone.Connected));
        var view = await alice.InvokeAsync<TableView>("GetTable", room.RoomId);
        Assert.True(view.Players.Single(p => p.PlayerId == alice.PlayerId).Connected);

        // Nothing of it went through a player grain: neither is in memory.
        Assert.Empty(await PlayerActivationsAsync(management, alice.PlayerId!, bob.PlayerId!));
    }

    private static async Task<List<string>> PlayerActivationsAsync(IManagementGrain management, params string[] playerIds)
    {
        var activations = await management.GetDetailedGrainStatistics();
        return [.. activations.Select(a => a.GrainId.Key.ToString()).Where(key => playerIds.Contains(key))];
    }
}
