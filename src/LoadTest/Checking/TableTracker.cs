using CardGame.Contracts.Protocol;
using CardGame.Contracts.Cards;

namespace CardGame.LoadTest.Checking;

/// <summary>
/// One client's picture of one table, rebuilt from the events it receives and checked against the contract as it goes:
/// seq continuity, private parts (no other player's card or hand), the cards it holds, and the card count (hands +
/// stock + discard pile = 52). A <see cref="TableView"/> is a baseline when the tracker has none (or after a gap), else
/// it is compared with the tracked state at the same seq. After a reconnect (<see cref="BeginResume"/>) the events
/// missed meanwhile come from <c>Resume</c> (<see cref="OnResumed"/>) and are checked like live ones, so a dropped
/// connection is no gap. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class TableTracker(string roomId, string playerId, Violations violations, bool spectating = false)
{
    private const int DeckSize = 52;

    private readonly SortedDictionary<long, TableEvent> _buffer = [];
    private readonly Dictionary<string, int> _handCounts = new(StringComparer.Ordinal);
    private readonly List<string> _players = [];
    private readonly List<string> _hand = [];
    private long _highestEventSeq = -1;
    private TableView? _pendingView;

    public string RoomId { get; } = roomId;

    public string PlayerId { get; } = playerId;

    /// <summary>The last seq applied, or null before the first baseline.</summary>
    public long? Seq { get; private set; }

    public string Phase { get; private set; } = Phases.Waiting;

    public string? Turn { get; private set; }

    /// <summary>The top card of the discard pile, or null when not known (a <c>started</c> event does not name it).</summary>
    public string? TopCard { get; private set; }

    public string? SuitToFollow { get; private set; }

    public string? Winner { get; private set; }

    /// <summary>Cards in the stock, when known from a view and followed through events.</summary>
    public int? Stock { get; private set; }

    /// <summary>Cards in the discard pile, when known.</summary>
    public int? Discard { get; private set; }

    /// <summary>True after a gap until a new baseline (<see cref="OnView"/> from <c>GetTable</c>) arrives.</summary>
    public bool NeedsResync { get; private set; }

    /// <summary>True from a dropped connection until <c>Resume</c>'s answer (<see cref="OnResumed"/>): events wait.</summary>
    public bool Resuming { get; private set; }

    public IReadOnlyList<string> Hand => _hand;

    public IReadOnlyList<string> Players => _players;

    public bool IsMyTurn => Phase == Phases.Playing && Turn == PlayerId && !NeedsResync && !Resuming && Seq is not null;

    public int HandCountOf(string player) => _handCounts.GetValueOrDefault(player);

    /// <summary>Applies (or buffers) an event. Returns false when a gap was found: the owner should call <c>GetTable</c>.</summary>
    public bool OnEvent(TableEvent tableEvent)
    {
        ArgumentNullException.ThrowIfNull(tableEvent);
        CheckPrivacy(tableEvent);
        return Route(tableEvent);
    }

    /// <summary>
    /// The connection dropped: events were missed, which is no violation, until <c>Resume</c> answers. Events of the
    /// new connection wait for that answer, in their own order (a lagging edge may deliver again what the old one did).
    /// </summary>
    public void BeginResume()
    {
        Resuming = true;
        _highestEventSeq = -1;
    }

    /// <summary>
    /// <c>Resume</c>'s answer after <see cref="BeginResume"/>: its events (after the tracked seq, in order) are applied
    /// and checked like live ones, or its view becomes the baseline; then the events that waited. Returns false when it
    /// left a gap: the owner should call <c>GetTable</c>.
    /// </summary>
    public bool OnResumed(Resumed resumed)
    {
        ArgumentNullException.ThrowIfNull(resumed);
        Resuming = false;
        if (resumed.View is { } view)
        {
            Baseline(view);
            return !NeedsResync;
        }

        foreach (var e in resumed.Events ?? [])
        {
            CheckPrivacy(e);
            if (Seq is null || NeedsResync)
            {
                _buffer[e.Seq] = e;
            }
            else if (e.Seq == Seq + 1)
            {
                Apply(e);
            }
            else if (e.Seq > Seq + 1)
            {
                violations.Report(ViolationKinds.SeqGap, $"{RoomId} to {PlayerId}: Resume answered seq {e.Seq} after {Seq} ({e.Kind})");
                NeedsResync = true;
                _buffer[e.Seq] = e;
            }
        }

        ReplayBuffer();
        return Seq is not null && !NeedsResync;
    }

    private bool Route(TableEvent tableEvent)
    {
        if (Seq is null || NeedsResync || Resuming)
        {
            _buffer[tableEvent.Seq] = tableEvent;
            return true;
        }

        if (tableEvent.Seq <= _highestEventSeq)
        {
            violations.Report(ViolationKinds.SeqRepeat, $"{RoomId} to {PlayerId}: seq {tableEvent.Seq} after {_highestEventSeq}");
            return true;
        }

        _highestEventSeq = tableEvent.Seq;
        if (tableEvent.Seq <= Seq)
        {
            return true; // already covered by a view
        }

        if (tableEvent.Seq > Seq + 1)
        {
            violations.Report(ViolationKinds.SeqGap, $"{RoomId} to {PlayerId}: expected seq {Seq + 1}, got {tableEvent.Seq} ({tableEvent.Kind})");
            NeedsResync = true;
            _buffer[tableEvent.Seq] = tableEvent;
            return false;
        }

        Apply(tableEvent);
        return true;
    }

    /// <summary>
    /// A view from an invocation's result or <c>GetTable</c>. Becomes the baseline when there is none or a resync is
    /// due; otherwise it is compared with the tracked state once the events reach its seq.
    /// </summary>
    public void OnView(TableView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (Seq is null || NeedsResync)
        {
            Baseline(view);
            return;
        }

        if (view.Seq == Seq)
        {
            Compare(view);
        }
        else if (view.Seq > Seq && (_pendingView is null || view.Seq >= _pendingView.Seq))
        {
            _pendingView = view;
        }
    }

    /// <summary>A view fetched to resynchronize (after a gap or a rejected move): the new baseline unless events are already past it.</summary>
    public void Resync(TableView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (Seq is null || NeedsResync || Resuming || view.Seq >= Seq)
        {
            Baseline(view);
        }
    }

    private void Baseline(TableView view, bool check = true)
    {
        NeedsResync = false;
        Resuming = false;
        Seq = view.Seq;
        Phase = view.Phase;
        Turn = view.Turn;
        TopCard = view.TopCard;
        SuitToFollow = view.Suit;
        Winner = view.Winner;
        _players.Clear();
        _handCounts.Clear();
        foreach (var player in view.Players)
        {
            _players.Add(player.PlayerId);
            _handCounts[player.PlayerId] = player.HandCount;
        }

        _hand.Clear();
        _hand.AddRange(view.Hand ?? []);
        CheckHandCards(_hand, $"view {view.Seq}");
        if (view.TopCard is not null)
        {
            Stock = view.StockCount;
            Discard = DeckSize - _handCounts.Values.Sum() - view.StockCount;
            if (check && Discard < 1 && Phase == Phases.Playing)
            {
                violations.Report(ViolationKinds.CardCount,
                    $"{RoomId} view {view.Seq}: hands {_handCounts.Values.Sum()} + stock {view.StockCount} leave {Discard} for the discard pile");
            }
        }
        else
        {
            Stock = null;
            Discard = null;
        }

        if (check && _handCounts.TryGetValue(PlayerId, out var mine) && view.Hand is not null && mine != view.Hand.Count)
        {
            violations.Report(ViolationKinds.ViewMismatch, $"{RoomId} view {view.Seq}: my hand has {view.Hand.Count} cards but handCount says {mine}");
        }

        _pendingView = null;
        ReplayBuffer();
    }

    /// <summary>Events that waited for a baseline or a resume: those it covers are dropped, the rest applied in order.</summary>
    private void ReplayBuffer()
    {
        foreach (var buffered in _buffer.Values.ToList())
        {
            if (NeedsResync)
            {
                break; // a gap inside the buffer: the rest waits for the next baseline
            }

            _buffer.Remove(buffered.Seq);
            if (buffered.Seq <= Seq)
            {
                _highestEventSeq = Math.Max(_highestEventSeq, buffered.Seq);
            }
            else
            {
                Route(buffered);
            }
        }
    }

    private void Compare(TableView view)
    {
        var problems = new List<string>();
        if (view.Phase != Phase)
        {
            problems.Add($"phase {view.Phase} vs {Phase}");
        }

        if (view.Turn != Turn)
        {
            problems.Add($"turn {view.Turn} vs {Turn}");
        }

        if (TopCard is not null && view.TopCard != TopCard)
        {
            problems.Add($"top {view.TopCard} vs {TopCard}");
        }

        if (SuitToFollow is not null && view.Suit != SuitToFollow)
        {
            problems.Add($"suit {view.Suit} vs {SuitToFollow}");
        }

        if (view.Hand is not null && !SameCards(view.Hand, _hand))
        {
            problems.Add($"hand [{string.Join(' ', view.Hand)}] vs tracked [{string.Join(' ', _hand)}]");
        }

        foreach (var player in view.Players)
        {
            if (_handCounts.TryGetValue(player.PlayerId, out var tracked) && tracked != player.HandCount)
            {
                problems.Add($"{player.PlayerId} holds {player.HandCount} vs {tracked}");
            }
        }

        if (view.TopCard is not null && Stock is not null && view.StockCount != Stock)
        {
            problems.Add($"stock {view.StockCount} vs {Stock}");
        }

        if (problems.Count > 0)
        {
            violations.Report(ViolationKinds.ViewMismatch, $"{RoomId} to {PlayerId} at seq {view.Seq}: {string.Join("; ", problems)}");
        }

        if (view.TopCard is not null && Discard is not null)
        {
            var total = view.Players.Sum(p => p.HandCount) + view.StockCount + Discard.Value;
            if (total != DeckSize)
            {
                violations.Report(ViolationKinds.CardCount,
                    $"{RoomId} at seq {view.Seq}: hands {view.Players.Sum(p => p.HandCount)} + stock {view.StockCount} + discard {Discard} = {total}");
            }
        }

        // Take what the server says from here on, so one divergence is reported once rather than on every later view.
        TopCard = view.TopCard ?? TopCard;
        if (problems.Count > 0)
        {
            Baseline(view, check: false);
        }
    }

    private void Apply(TableEvent e)
    {
        Seq = e.Seq;
        switch (e.Kind)
        {
            case EventKinds.Joined:
                if (e.PlayerId is { } joined && !_players.Contains(joined))
                {
                    _players.Add(joined);
                    _handCounts[joined] = 0;
                }

                break;
            case EventKinds.Left:
                ApplyLeft(e);
                break;
            case EventKinds.Started:
                ApplyStarted(e);
                break;
            case EventKinds.Took:
                ApplyTook(e);
                break;
            case EventKinds.Put:
                ApplyPut(e);
                break;
            case EventKinds.Finished:
                Phase = Phases.Finished;
                Winner = e.Winner;
                Turn = null;
                break;
            default:
                break; // connection, and kinds added later: nothing to track
        }

        if (_pendingView is { } pending && pending.Seq <= Seq)
        {
            _pendingView = null;
            if (pending.Seq == Seq)
            {
                Compare(pending);
            }
        }
    }

    private void ApplyLeft(TableEvent e)
    {
        if (e.PlayerId is not { } left)
        {
            return;
        }

        var held = _handCounts.GetValueOrDefault(left);
        _players.Remove(left);
        _handCounts.Remove(left);
        if (Stock is not null)
        {
            Stock += held; // a leaver's cards go to the bottom of the stock
        }

        if (Phase == Phases.Playing)
        {
            Turn = e.Turn;
        }
    }

    private void ApplyStarted(TableEvent e)
    {
        var dealt = _players.Count == 2 ? 7 : 5;
        Phase = Phases.Playing;
        Winner = null;
        Turn = e.Turn;
        TopCard = null;
        SuitToFollow = e.Suit;
        foreach (var player in _players)
        {
            _handCounts[player] = dealt;
        }

        Stock = DeckSize - (_players.Count * dealt) - 1;
        Discard = 1;
        _hand.Clear();
        if (_players.Contains(PlayerId))
        {
            if (e.Hand is null)
            {
                violations.Report(ViolationKinds.MissingCard, $"{RoomId} seq {e.Seq}: started without my hand");
            }
            else
            {
                _hand.AddRange(e.Hand);
                if (e.Hand.Count != dealt)
                {
                    violations.Report(ViolationKinds.IllegalMoveAccepted, $"{RoomId} seq {e.Seq}: dealt {e.Hand.Count} cards to {_players.Count} players, expected {dealt}");
                }

                CheckHandCards(_hand, $"started {e.Seq}");
            }
        }
    }

    private void ApplyTook(TableEvent e)
    {
        var taker = e.PlayerId ?? "";
        var passed = false;
        if (Stock is not null && Discard is not null)
        {
            if (Stock == 0 && Discard > 1)
            {
                Stock = Discard - 1; // the discard pile but its top card is shuffled into the stock
                Discard = 1;
            }

            if (Stock == 0)
            {
                passed = true;
            }
            else
            {
                Stock--;
            }
        }
        else if (e.HandCount is { } count)
        {
            passed = count == _handCounts.GetValueOrDefault(taker);
        }

        if (!passed)
        {
            _handCounts[taker] = _handCounts.GetValueOrDefault(taker) + 1;
        }

        if (taker == PlayerId)
        {
            if (e.Card is { } card)
            {
                if (!Card.TryParse(card, out _))
                {
                    violations.Report(ViolationKinds.MissingCard, $"{RoomId} seq {e.Seq}: took '{card}', not a card");
                }
                else if (_hand.Contains(card) || card == TopCard)
                {
                    violations.Report(ViolationKinds.DuplicateCard, $"{RoomId} seq {e.Seq}: took {card}, which is already in my hand or on the pile");
                }

                _hand.Add(card);
                if (passed)
                {
                    violations.Report(ViolationKinds.CardCount, $"{RoomId} seq {e.Seq}: took {card} while stock and discard pile were empty");
                }
            }
            else if (!passed)
            {
                violations.Report(ViolationKinds.MissingCard, $"{RoomId} seq {e.Seq}: my took event has no card while the stock had {Stock + 1}");
            }
        }

        CheckHandCount(e, taker);
        Turn = e.Turn;
    }

    private void ApplyPut(TableEvent e)
    {
        var putter = e.PlayerId ?? "";
        var card = e.Card ?? "";
        if (!Card.TryParse(card, out var put))
        {
            violations.Report(ViolationKinds.IllegalMoveAccepted, $"{RoomId} seq {e.Seq}: put '{card}', not a card");
        }
        else
        {
            Card? top = Card.TryParse(TopCard, out var parsedTop) ? parsedTop : null;
            Suit? follow = SuitNames.TryParse(SuitToFollow, out var parsedSuit) ? parsedSuit : null;
            var legal = put.Follows(top, follow);
            var decidable = TopCard is not null || legal;
            if (decidable && !legal)
            {
                violations.Report(ViolationKinds.IllegalMoveAccepted, $"{RoomId} seq {e.Seq}: {putter} put {card} on {TopCard} with {SuitToFollow} to follow");
            }

            if (put.Rank != Rank.Eight && e.Suit != SuitNames.ToWire(put.Suit))
            {
                violations.Report(ViolationKinds.IllegalMoveAccepted, $"{RoomId} seq {e.Seq}: put {card} but suit to follow is {e.Suit}");
            }
        }

        if (putter == PlayerId)
        {
            if (!_hand.Remove(card))
            {
                violations.Report(ViolationKinds.CardNotDealt, $"{RoomId} seq {e.Seq}: the server says I put {card}, which I was never dealt (hand [{string.Join(' ', _hand)}])");
            }
        }
        else if (_hand.Contains(card))
        {
            violations.Report(ViolationKinds.DuplicateCard, $"{RoomId} seq {e.Seq}: {putter} put {card}, which is in my hand");
        }

        _handCounts[putter] = Math.Max(0, _handCounts.GetValueOrDefault(putter) - 1);
        if (Discard is not null)
        {
            Discard++;
        }

        TopCard = card;
        SuitToFollow = e.Suit;
        CheckHandCount(e, putter);
        Turn = e.Turn;
    }

    private void CheckPrivacy(TableEvent e)
    {
        if (e.Kind == EventKinds.Took && e.PlayerId != PlayerId && e.Card is not null)
        {
            violations.Report(ViolationKinds.ForeignCard, $"{RoomId} seq {e.Seq}: {PlayerId} was shown {e.PlayerId}'s card {e.Card}");
        }

        if (e.Hand is not null && e.Kind != EventKinds.Started)
        {
            violations.Report(ViolationKinds.ForeignHand, $"{RoomId} seq {e.Seq}: a {e.Kind} event carried a hand");
        }
        else if (e.Hand is not null && spectating)
        {
            violations.Report(ViolationKinds.ForeignHand, $"{RoomId} seq {e.Seq}: spectator {PlayerId} was shown a hand");
        }
    }

    private void CheckHandCount(TableEvent e, string player)
    {
        if (e.HandCount is { } count && count != _handCounts.GetValueOrDefault(player))
        {
            violations.Report(ViolationKinds.CardCount, $"{RoomId} seq {e.Seq}: {e.Kind} says {player} holds {count}, tracked {_handCounts.GetValueOrDefault(player)}");
            _handCounts[player] = count;
        }
    }

    private void CheckHandCards(List<string> hand, string where)
    {
        if (hand.Any(card => !Card.TryParse(card, out _)) || hand.Distinct().Count() != hand.Count)
        {
            violations.Report(ViolationKinds.DuplicateCard, $"{RoomId} {where}: hand [{string.Join(' ', hand)}] has a repeated or malformed card");
        }
    }

    private static bool SameCards(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal));
}
