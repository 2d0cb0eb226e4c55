using CardGame.Contracts.Protocol;
using CardGame.Contracts.Cards;

namespace CardGame.LoadTest.Tests;

/// <summary>
/// A small, independent Crazy Eights table that produces events and views the way the contract describes, so the
/// tracker and the move chooser can be tested on whole games without a server.
/// </summary>
internal sealed class FakeTable(string roomId, Random random)
{
    private readonly List<string> _stock = [];
    private readonly List<string> _discard = [];
    private readonly Dictionary<string, List<string>> _hands = [];

    public List<string> Players { get; } = [];

    public long Seq { get; private set; }

    public string Phase { get; private set; } = Phases.Waiting;

    public string? Turn { get; private set; }

    public string? Suit { get; private set; }

    public string? Winner { get; private set; }

    public IReadOnlyList<string> HandOf(string player) => _hands.GetValueOrDefault(player) ?? [];

    /// <summary>Each recipient's copy of the events of one action.</summary>
    public List<Dictionary<string, TableEvent>> Join(string player)
    {
        Players.Add(player);
        return [Emit(new TableEvent(roomId, 0, EventKinds.Joined, player))];
    }

    public List<Dictionary<string, TableEvent>> Start(string by)
    {
        var deck = Card.FullDeck.Select(c => c.ToString()).OrderBy(_ => random.Next()).ToList();
        var dealt = Players.Count == 2 ? 7 : 5;
        _hands.Clear();
        foreach (var p in Players)
        {
            _hands[p] = deck.Take(dealt).ToList();
            deck.RemoveRange(0, dealt);
        }

        var top = deck.First(c => Parse(c).Rank != Rank.Eight);
        deck.Remove(top);
        _stock.Clear();
        _stock.AddRange(deck);
        _discard.Clear();
        _discard.Add(top);
        Suit = SuitNames.ToWire(Parse(top).Suit);
        Turn = Players[0];
        Winner = null;
        Phase = Phases.Playing;
        var started = Emit(new TableEvent(roomId, 0, EventKinds.Started, by, Suit: Suit, Turn: Turn));
        foreach (var p in Players)
        {
            started[p] = started[p] with { Hand = [.. _hands[p]] };
        }

        return [started];
    }

    public List<Dictionary<string, TableEvent>> Take(string player)
    {
        if (_stock.Count == 0 && _discard.Count > 1)
        {
            _stock.AddRange(_discard.Take(_discard.Count - 1).OrderBy(_ => random.Next()));
            _discard.RemoveRange(0, _discard.Count - 1);
        }

        string? card = null;
        if (_stock.Count > 0)
        {
            card = _stock[^1];
            _stock.RemoveAt(_stock.Count - 1);
            _hands[player].Add(card);
        }

        Turn = Next(player);
        var took = Emit(new TableEvent(roomId, 0, EventKinds.Took, player, Card: card, HandCount: _hands[player].Count, Turn: Turn));
        foreach (var p in Players.Where(p => p != player))
        {
            took[p] = took[p] with { Card = null };
        }

        return [took];
    }

    public List<Dictionary<string, TableEvent>> Put(string player, string card, string? suit)
    {
        if (Turn != player || !_hands[player].Contains(card) || !Parse(card).Follows(Parse(_discard[^1]), SuitNames.TryParse(Suit, out var follow) ? follow : null))
        {
            throw new InvalidOperationException($"illegal: {player} put {card} on {_discard[^1]} ({Suit})");
        }

        _hands[player].Remove(card);
        _discard.Add(card);
        Suit = Parse(card).Rank == Rank.Eight ? suit : SuitNames.ToWire(Parse(card).Suit);
        var won = _hands[player].Count == 0;
        Turn = won ? null : Next(player);
        var events = new List<Dictionary<string, TableEvent>>
        {
            Emit(new TableEvent(roomId, 0, EventKinds.Put, player, Card: card, Suit: Suit, HandCount: _hands[player].Count, Turn: Turn)),
        };
        if (won)
        {
            Winner = player;
            Phase = Phases.Finished;
            events.Add(Emit(new TableEvent(roomId, 0, EventKinds.Finished, player, Winner: player)));
        }

        return events;
    }

    public TableView View(string viewer) => new(
        roomId,
        "fake",
        Seq,
        Phase,
        4,
        [.. Players.Select(p => new PlayerView(p, p, _hands.GetValueOrDefault(p)?.Count ?? 0, true))],
        Phase == Phases.Playing ? Turn : null,
        _discard.Count > 0 ? _discard[^1] : null,
        _discard.Count > 0 ? Suit : null,
        _stock.Count,
        _hands.TryGetValue(viewer, out var hand) ? [.. hand] : null,
        Phase == Phases.Finished ? Winner : null);

    private string Next(string player) => Players[(Players.IndexOf(player) + 1) % Players.Count];

    private Dictionary<string, TableEvent> Emit(TableEvent e)
    {
        Seq++;
        return Players.ToDictionary(p => p, _ => e with { Seq = Seq });
    }

    private static Card Parse(string card) => Card.TryParse(card, out var parsed) ? parsed : throw new ArgumentException($"{card} is not a card");
}
