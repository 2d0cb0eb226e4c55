using System.Collections.Immutable;
using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// One table event as it travels from a table grain to an edge node, once per edge.
/// <see cref="Event"/> carries the private parts of the acting player (the taken card);
/// <see cref="Hands"/> carries each player's hand for a <c>started</c> event.
/// The edge delivers <see cref="ForRecipient"/> to each of <see cref="Recipients"/>, so private parts reach
/// their owner only.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableNotification")]
public sealed record TableNotification(
    [property: Id(0)] TableEvent Event,
    [property: Id(1)] ImmutableArray<string> Recipients,
    [property: Id(2)] ImmutableDictionary<string, ImmutableArray<string>>? Hands = null)
{
    /// <summary>The event as <paramref name="playerId"/> may see it: another player's cards are removed.</summary>
    public TableEvent ForRecipient(string playerId)
    {
        var evt = Event;
        if (evt.Card is not null && evt.Kind == EventKinds.Took && evt.PlayerId != playerId)
        {
            evt = evt with { Card = null };
        }

        if (Hands is not null)
        {
            evt = evt with { Hand = Hands.TryGetValue(playerId, out var hand) ? hand : null };
        }

        return evt;
    }

    /// <summary>The event as someone watching the table sees it: no private part at all (no hand, no taken card).</summary>
    public TableEvent ForSpectator() =>
        Event.Kind == EventKinds.Took || Event.Hand is not null || Hands is not null
            ? Event with { Card = Event.Kind == EventKinds.Took ? null : Event.Card, Hand = null }
            : Event;
}
