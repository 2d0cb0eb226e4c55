using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class LimitsTests(EdgesFixture fixture)
{
    [Fact]
    public async Task A_64_KiB_message_closes_the_connection()
    {
        await using var client = await GameClient.SignInAsync(fixture.Edge1, "verbose");

        var call = client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest(new string('x', 64 * 1024), 4));

        await Assert.ThrowsAnyAsync<Exception>(() => call);
        await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HubConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task A_message_just_under_32_KiB_is_accepted()
    {
        await using var client = await GameClient.SignInAsync(fixture.Edge1, "wordy");

        var message = await client.AssertFailsAsync(ErrorCodes.BadRequest, "CreateRoom", new CreateRoomRequest(new string('x', 30 * 1024), 4));

        Assert.Contains("1 to 40 characters", message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task A_burst_beyond_the_rate_limit_fails_with_rate_limited_and_changes_nothing()
    {
        await using var client = await GameClient.SignInAsync(fixture.Edge2, "hasty");
        var tag = "burst-" + Guid.NewGuid().ToString("N")[..8];

        // 150 invocations at once: the token bucket lets 40 through, then 20 per second.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 150).Select(i => client.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest($"{tag}-{i}", 2))).ToList();
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                return (Room: await call, Error: (string?)null);
            }
            catch (HubException ex)
            {
                return (Room: (RoomInfo?)null, Error: ex.Message);
            }
        }));
        var elapsed = clock.Elapsed;

        var created = outcomes.Where(o => o.Room is not null).Select(o => o.Room!.Name).ToHashSet();
        var limited = outcomes.Count(o => GameError.FromHubMessage(o.Error)?.Code == ErrorCodes.RateLimited);
        // Calls let through may still be refused by the game: a player has at most 3 rooms nobody joined.
        var refused = outcomes.Count(o => GameError.FromHubMessage(o.Error)?.Code == ErrorCodes.LimitReached);
        Assert.Equal(150, created.Count + refused + limited);
        Assert.True(limited > 0, $"no call was rate limited ({created.Count + refused} let through in {elapsed})");
        Assert.InRange(created.Count + refused, 40, 40 + (int)Math.Ceiling(20 * elapsed.TotalSeconds) + 1);

        // Only the accepted calls created rooms.
        await Task.Delay(1500);
        IReadOnlyList<RoomInfo> listed = [];
        for (var i = 0; i < 50 && listed.Count < created.Count; i++)
        {
            await Task.Delay(100);
            listed = [.. (await client.InvokePatientlyAsync<IReadOnlyList<RoomInfo>>("ListRooms")).Where(r => r.Name.StartsWith(tag, StringComparison.Ordinal))];
        }

        Assert.Equal(created.Order(), listed.Select(r => r.Name).Order());
    }

    [Fact]
    public async Task The_rate_limit_is_per_connection()
    {
        var guest = await fixture.Edge1.SignInAsync("two-tabs");
        await using var busy = await GameClient.ConnectAsync(fixture.Edge1, guest.Token, guest.PlayerId);
        await using var calm = await GameClient.ConnectAsync(fixture.Edge1, guest.Token, guest.PlayerId);

        // Bursts of 80 calls at once: the budget (40, refilled at 20 a second) runs out unless the server answers
        // fewer than 20 calls a second, which a machine busy enough does for a burst or two; so burst until it runs out.
        var limited = 0;
        var sent = 0;
        for (var round = 0; round < 20 && limited == 0; round++)
        {
            var burst = Enumerable.Range(0, 80).Select(_ => busy.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms")).ToList();
            sent += burst.Count;
            foreach (var call in burst)
            {
                try
                {
                    await call;
                }
                catch (HubException ex) when (GameError.FromHubMessage(ex.Message)?.Code == ErrorCodes.RateLimited)
                {
                    limited++;
                }
            }
        }

        Assert.True(limited > 0, $"none of {sent} calls was refused");
        await calm.InvokeAsync<IReadOnlyList<RoomInfo>>("ListRooms");
    }
}
