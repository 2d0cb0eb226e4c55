using Microsoft.AspNetCore.SignalR;

namespace CardGame.Bench.BareStack;

/// <summary>
/// The bare counterpart of the game hub. <see cref="Echo"/>: SignalR alone. <see cref="Act"/>: what a game action
/// costs without the game — one grain call keyed by the group (like a table), then the event to the other seats.
/// (The grain factory is resolved per call because an echo-only edge runs without a cluster.)
/// </summary>
public sealed class BareHub(IServiceProvider services) : Hub
{
    public string Echo(string payload) => payload;

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public async Task<string> Act(string group, long seq, int seat, string payload)
    {
        await services.GetRequiredService<IGrainFactory>().GetGrain<INoopGrain>(group).Ping(seq);
        await Clients.OthersInGroup(group).SendAsync("Evt", seq, seat);
        return payload;
    }
}
