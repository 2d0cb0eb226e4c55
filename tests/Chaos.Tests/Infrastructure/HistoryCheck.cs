using CardGame.Grains;

namespace CardGame.Chaos.Tests.Infrastructure;

/// <summary>
/// Checks what clients recorded against the table's final state (each client's <c>GetTable</c>, from the grain's
/// memory) and what Redis holds (<see cref="StoredTable"/>, with the digest of every applied move):
/// every acknowledged move applied exactly once, no refused move applied, no move left unknown, memory equal to
/// storage, all 52 cards there once, all clients at the same seq having seen every event (or skipped it with a Resume
/// view), and every event the same for every client.
/// </summary>
public static class HistoryCheck
{
    private static readonly string[] Deck =
        [.. CardGame.Contracts.Cards.Card.FullDeck.Select(card => card.ToString())];

    public static List<string> Run(IReadOnlyList<ChaosClient> clients, IReadOnlyList<TableView> views, StoredTable stored)
    {
        var violations = new List<string>();
        var history = Union(clients, violations);
        foreach (var client in clients)
        {
            CheckMoves(client, stored, history, violations);
            var gaps = client.GapsUpTo(stored.Seq);
            if (gaps.Count > 0)
            {
                violations.Add($"{client.Name} never saw events {string.Join(",", gaps)} (nor a view past them)");
            }

            if (client.ContiguousSeq != stored.Seq)
            {
                violations.Add($"{client.Name} is at seq {client.ContiguousSeq}, storage at {stored.Seq}");
            }
        }

        if (views.Any(v => v.Seq != views[0].Seq))
        {
            violations.Add($"the clients' last views disagree: seq {string.Join(", ", views.Select(v => v.Seq))}");
        }

        for (var i = 0; i < clients.Count; i++)
        {
            CheckMemoryMatchesStorage(clients[i], views[i], stored, violations);
        }

        var cards = stored.AllCards.ToList();
        if (cards.Count != 52 || !cards.Order().SequenceEqual(Deck.Order()))
        {
            violations.Add($"storage holds {cards.Count} cards ({cards.Distinct().Count()} distinct), not the 52 of the deck once each");
        }

        var counted = views[0].Players.Sum(p => p.HandCount) + views[0].StockCount + stored.DiscardPile.Count;
        if (counted != 52)
        {
            violations.Add($"hands + stock (as the table shows them) + discard pile = {counted} cards, not 52");
        }

        return violations;
    }

    /// <summary>Every event by seq; two clients that saw the same seq must have seen the same public event.</summary>
    private static Dictionary<long, TableEvent> Union(IReadOnlyList<ChaosClient> clients, List<string> violations)
    {
        var history = new Dictionary<long, TableEvent>();
        foreach (var e in clients.SelectMany(c => c.Events))
        {
            if (!history.TryGetValue(e.Seq, out var seen))
            {
                history[e.Seq] = e;
            }
            else if (seen.Kind != e.Kind || seen.PlayerId != e.PlayerId || seen.Turn != e.Turn || seen.HandCount != e.HandCount ||
                (e.Kind != EventKinds.Took && seen.Card != e.Card) || seen.Suit != e.Suit || seen.Winner != e.Winner)
            {
                violations.Add($"two different events with seq {e.Seq}: {seen} and {e}");
            }
        }

        return history;
    }

    private static bool IsDigestOf(ulong digest, string? moveId) => moveId is not null && Table.MoveDigest(moveId) == digest;

    private static void CheckMoves(ChaosClient client, StoredTable stored, Dictionary<long, TableEvent> history, List<string> violations)
    {
        var moves = client.Actions.Where(a => a.IsMove).ToList();
        var applied = stored.Remembered(client.PlayerId);
        var acknowledged = moves.Where(m => m.Final == Outcome.Ok).ToList();
        if (acknowledged.Count > 32)
        {
            violations.Add($"{client.Name} made {acknowledged.Count} moves: more than storage remembers, the check is incomplete");
        }

        foreach (var move in moves)
        {
            var times = applied.Count(digest => IsDigestOf(digest, move.MoveId));
            switch (move.Final)
            {
                case Outcome.Ok when times != 1:
                    violations.Add($"acknowledged move applied {times} times: {move}");
                    break;
                case Outcome.Error when times != 0:
                    violations.Add($"refused move applied: {move}");
                    break;
                case Outcome.Unknown:
                    violations.Add($"move whose outcome never became known: {move}");
                    break;
            }
        }

        foreach (var digest in applied.Where(digest => !moves.Any(m => IsDigestOf(digest, m.MoveId))))
        {
            violations.Add($"{client.Name}: storage has a move (digest {digest:x16}) the client never sent");
        }

        // The event an acknowledgement stands for. The view it returns carries the move's seq (or the `finished` after
        // it), or a later one: an edge repeats a move whose answer is slow with its moveId (HedgedCalls), and the table
        // answers a repeat with its current view, which may already hold the next player's move. So the move's event
        // is the latest matching one after this player's previous acknowledged move and no later than the view.
        var floor = 0L;
        foreach (var move in acknowledged.Where(m => m.Attempts.Count == 1 && m.AckSeq is not null))
        {
            var ackSeq = move.AckSeq!.Value;
            var kind = move.Kind == "put" ? EventKinds.Put : EventKinds.Took;
            var found = 0L;
            var complete = true;
            for (var seq = ackSeq; seq > floor; seq--)
            {
                if (!history.TryGetValue(seq, out var e))
                {
                    complete = false; // skipped by a Resume view: storage vouches for what is not seen
                    continue;
                }

                if (e.Kind == kind && e.PlayerId == client.PlayerId && (kind != EventKinds.Put || e.Card == move.Card))
                {
                    found = seq;
                    break;
                }
            }

            if (found > 0)
            {
                floor = found;
            }
            else if (complete)
            {
                violations.Add($"no event for the acknowledged move between seq {floor + 1} and its acknowledged seq {ackSeq}: {move}");
            }
        }

        // Every move of this player in the events is one it was told was applied.
        var puts = history.Values.Where(e => e.Kind == EventKinds.Put && e.PlayerId == client.PlayerId).Select(e => e.Card!).ToList();
        foreach (var card in puts.Where(card => !acknowledged.Any(m => m.Kind == "put" && m.Card == card)))
        {
            violations.Add($"{client.Name} put {card} per the events, which no acknowledged move did");
        }

        var takes = history.Values.Count(e => e.Kind == EventKinds.Took && e.PlayerId == client.PlayerId && e.Auto != true);
        if (takes > acknowledged.Count(m => m.Kind == "take"))
        {
            violations.Add($"{client.Name} took {takes} cards per the events, but only {acknowledged.Count(m => m.Kind == "take")} takes were acknowledged");
        }
    }

    private static void CheckMemoryMatchesStorage(ChaosClient client, TableView view, StoredTable stored, List<string> violations)
    {
        var problems = new List<string>();
        if (view.Seq != stored.Seq)
        {
            problems.Add($"seq {view.Seq} vs {stored.Seq}");
        }

        foreach (var player in view.Players)
        {
            var hand = stored.Hands.TryGetValue(player.PlayerId, out var cards) ? cards.Count : 0;
            if (player.HandCount != hand)
            {
                problems.Add($"{player.PlayerId} holds {player.HandCount} vs {hand}");
            }
        }

        if (view.StockCount != stored.Stock.Count)
        {
            problems.Add($"stock {view.StockCount} vs {stored.Stock.Count}");
        }

        if (view.TopCard != stored.DiscardPile.LastOrDefault())
        {
            problems.Add($"top card {view.TopCard} vs {stored.DiscardPile.LastOrDefault()}");
        }

        var own = stored.Hands.TryGetValue(client.PlayerId, out var ownCards) ? ownCards : [];
        if (!(view.Hand ?? []).Order().SequenceEqual(own.Order()))
        {
            problems.Add($"{client.Name}'s hand {string.Join(" ", view.Hand ?? [])} vs {string.Join(" ", own)}");
        }

        if (problems.Count > 0)
        {
            violations.Add($"the table in memory (as {client.Name} sees it) and in storage disagree: {string.Join("; ", problems)}");
        }
    }
}
