using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Fairness;

/// <summary>
/// Checks a finished game as one client saw it (docs/fair-shuffle.md): the revealed seed matches the commitment, and
/// the deal, the turned card, the viewer's own hand and takes, and every card put are what the seed and the public
/// moves give. It replays the piles from the seed, so a card put that the seed never gave that player fails too.
/// </summary>
public static class FairShuffleVerifier
{
    /// <param name="seats">The players of the game in seat order: the table's players when it was dealt.</param>
    /// <param name="game">The events from <c>started</c> to <c>finished</c>, every seq between, as the viewer received them.</param>
    /// <param name="viewerId">Whose events they are (their hand and takes are checked too); null for a spectator.</param>
    public static FairShuffleCheck Verify(IReadOnlyList<string> seats, IReadOnlyList<TableEvent> game, string? viewerId)
    {
        ArgumentNullException.ThrowIfNull(seats);
        ArgumentNullException.ThrowIfNull(game);
        if (game.Count < 2 || game[0].Kind != EventKinds.Started || game[^1].Kind != EventKinds.Finished)
        {
            return FairShuffleCheck.Failed("the events do not run from started to finished");
        }

        var started = game[0];
        for (var i = 1; i < game.Count; i++)
        {
            if (game[i].Seq != started.Seq + i)
            {
                return FairShuffleCheck.Failed($"event {started.Seq + i} is missing");
            }
        }

        if (started.DeckCommitment is not { } commitment)
        {
            return FairShuffleCheck.Failed($"started (seq {started.Seq}) carries no deckCommitment");
        }

        if (!FairShuffle.TryParseSeed(game[^1].DeckSeed, out var seed))
        {
            return FairShuffleCheck.Failed($"finished (seq {game[^1].Seq}) carries no deckSeed of at least {FairShuffle.MinSeedBytes} bytes in lowercase hex");
        }

        if (FairShuffle.Commitment(seed) != commitment)
        {
            return FairShuffleCheck.Failed($"SHA-256 of the revealed seed is {FairShuffle.Commitment(seed)}, not the commitment {commitment}");
        }

        if (seats.Count is < 2 or > 6 || seats.Distinct(StringComparer.Ordinal).Count() != seats.Count)
        {
            return FairShuffleCheck.Failed($"{seats.Count} seats [{string.Join(' ', seats)}] cannot have been dealt");
        }

        var piles = Piles.Deal(seats, seed);
        if (started.Turn != seats[0])
        {
            return FairShuffleCheck.Failed($"{started.Turn} moves first, but the first seat is {seats[0]}");
        }

        if (started.Card != piles.Discard[^1])
        {
            return FairShuffleCheck.Failed($"the turned card is {started.Card}, the seed turns {piles.Discard[^1]}");
        }

        if (viewerId is not null && piles.Hands.TryGetValue(viewerId, out var dealt) && !SameCards(started.Hand, dealt))
        {
            return FairShuffleCheck.Failed($"{viewerId} was dealt [{Cards(started.Hand)}], the seed deals [{Cards(dealt)}]");
        }

        foreach (var e in game.Skip(1))
        {
            if (piles.Apply(e, viewerId) is { } problem)
            {
                return FairShuffleCheck.Failed($"seq {e.Seq} ({e.Kind} by {e.PlayerId}): {problem}");
            }
        }

        return FairShuffleCheck.Ok;
    }

    private static bool SameCards(IReadOnlyList<string>? a, IReadOnlyList<string> b) =>
        a is not null && a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal));

    private static string Cards(IEnumerable<string>? cards) => cards is null ? "none" : string.Join(' ', cards);

    /// <summary>The hands, the stock (last = top) and the discard pile (last = top), replayed from the seed.</summary>
    private sealed class Piles(byte[] seed)
    {
        private int _reshuffles;

        public Dictionary<string, List<string>> Hands { get; } = new(StringComparer.Ordinal);

        public List<string> Stock { get; } = [.. FairShuffle.Deck];

        public List<string> Discard { get; } = [];

        public static Piles Deal(IReadOnlyList<string> seats, byte[] seed)
        {
            var piles = new Piles(seed);
            FairShuffle.Shuffle(piles.Stock, seed, FairShuffle.DealLabel);
            foreach (var seat in seats)
            {
                piles.Hands[seat] = [];
            }

            for (var round = 0; round < (seats.Count == 2 ? 7 : 5); round++)
            {
                foreach (var seat in seats)
                {
                    piles.Hands[seat].Add(piles.Draw());
                }
            }

            while (piles.Stock[^1].StartsWith('8'))
            {
                piles.Stock.Insert(0, piles.Draw()); // an 8 turned up goes to the bottom
            }

            piles.Discard.Add(piles.Draw());
            return piles;
        }

        /// <summary>Applies one public move; returns what contradicts the seed, or null.</summary>
        public string? Apply(TableEvent e, string? viewerId)
        {
            switch (e.Kind)
            {
                case EventKinds.Took:
                {
                    if (!Hands.TryGetValue(e.PlayerId ?? "", out var hand))
                    {
                        return "not a player of this game";
                    }

                    if (Stock.Count == 0 && Discard.Count > 1)
                    {
                        Stock.AddRange(Discard.GetRange(0, Discard.Count - 1));
                        Discard.RemoveRange(0, Discard.Count - 1);
                        FairShuffle.Shuffle(Stock, seed, FairShuffle.ReshuffleLabel(++_reshuffles));
                    }

                    if (Stock.Count == 0)
                    {
                        return e.Card is null ? CheckCount(e, hand) : $"took {e.Card} from an empty stock";
                    }

                    var card = Draw();
                    hand.Add(card);
                    if (e.Card is not null && e.Card != card)
                    {
                        return $"took {e.Card}, the seed gives {card}";
                    }

                    if (e.Card is null && e.PlayerId == viewerId)
                    {
                        return "my own take did not show the card";
                    }

                    return CheckCount(e, hand);
                }

                case EventKinds.Put:
                {
                    if (!Hands.TryGetValue(e.PlayerId ?? "", out var hand))
                    {
                        return "not a player of this game";
                    }

                    if (e.Card is null || !hand.Remove(e.Card))
                    {
                        return $"put {e.Card ?? "no card"}, which the seed did not put in that hand [{string.Join(' ', hand)}]";
                    }

                    Discard.Add(e.Card);
                    return CheckCount(e, hand);
                }

                case EventKinds.Left:
                    if (Hands.Remove(e.PlayerId ?? "", out var left))
                    {
                        Stock.InsertRange(0, left); // under the stock, the first card of the hand at the bottom
                    }

                    return null;

                case EventKinds.Finished:
                    return e.Winner is { } winner && Hands.Count > 1 && Hands.TryGetValue(winner, out var cards) && cards.Count > 0
                        ? $"{winner} won holding [{string.Join(' ', cards)}]"
                        : null;

                default:
                    return null; // connection: no cards move
            }
        }

        private string Draw()
        {
            var card = Stock[^1];
            Stock.RemoveAt(Stock.Count - 1);
            return card;
        }

        private static string? CheckCount(TableEvent e, List<string> hand) =>
            e.HandCount is { } count && count != hand.Count ? $"says {count} cards in hand, the seed leaves {hand.Count}" : null;
    }
}
