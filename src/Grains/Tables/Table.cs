using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;

namespace CardGame.Grains;

/// <summary>
/// One room's model: seats, the game, <c>seq</c> and the events each change emits, over a <see cref="TableState"/>.
/// Plain code with no Orleans in it: the grain loads the state, calls one method, persists if
/// <see cref="Changed"/>, then publishes <see cref="Pending"/> and sends <see cref="Notices"/>. A rejected call
/// returns an error code and leaves the state untouched.
/// </summary>
public sealed class Table(string roomId, TableState state, GameOptions options, TimeProvider time)
{
    /// <summary>How many recent move ids the table remembers per player.</summary>
    public const int MovesRemembered = 32;

    /// <summary>How many of those are also stored in full (<see cref="TableState.AppliedMoves"/>), for older readers.</summary>
    public const int MovesKeptInFull = 4;

    private const int DigestSize = sizeof(ulong);

    private readonly List<TableNotification> _pending = [];
    private readonly List<PlayerNotice> _notices = [];
    private readonly DateTimeOffset _loadedAt = time.GetUtcNow();
    private string? _committedSeed;
    private ImmutableArray<string> _seatedIds;
    private (string? MoveId, ulong Digest) _digested;
    private string? _commitment;

    public string RoomId { get; } = roomId;

    public TableState State { get; } = state;

    /// <summary>Whether the last calls changed the state (it must be persisted before anything is acknowledged).</summary>
    public bool Changed { get; private set; }

    /// <summary>Events emitted since <see cref="Accept"/>, in seq order.</summary>
    public IReadOnlyList<TableNotification> Pending => _pending;

    /// <summary>One-way notices for player grains, to send once the change is persisted.</summary>
    public IReadOnlyList<PlayerNotice> Notices => _notices;

    public bool Exists => State.Exists;

    /// <summary>The change was persisted (or abandoned): start collecting afresh.</summary>
    public void Accept()
    {
        _pending.Clear();
        _notices.Clear();
        Changed = false;
    }

    public RoomResult Create(string name, int seats, string creatorId, bool quickPlay = false)
    {
        if (State.Exists || State.Seq > 0)
        {
            return RoomResult.Fail(ErrorCodes.BadRequest, "that room id is taken");
        }

        State.Exists = true;
        State.Name = name;
        State.Seats = seats;
        State.CreatorId = creatorId;
        State.Phase = Phases.Waiting;
        State.CreatedAt = time.GetUtcNow();
        State.QuickPlay = quickPlay;
        Changed = true;
        return RoomResult.Ok(Info());
    }

    public TableResult Join(PlayerSnapshot player)
    {
        if (!State.Exists)
        {
            return RoomNotFound();
        }

        if (FindSeat(player.PlayerId) is not null)
        {
            return TableResult.Ok(View(player.PlayerId));
        }

        if (State.Phase == Phases.Playing)
        {
            return TableResult.Fail(ErrorCodes.GameInProgress, "a game is being played at this table; join when it is over");
        }

        if (State.Players.Count >= State.Seats)
        {
            return TableResult.Fail(ErrorCodes.RoomFull, $"all {State.Seats} seats are taken");
        }

        State.Players.Add(new SeatState { PlayerId = player.PlayerId, Name = player.Name });
        Emit(new TableEvent(RoomId, 0, EventKinds.Joined, player.PlayerId, Name: player.Name));
        return TableResult.Ok(View(player.PlayerId));
    }

    /// <summary>Deals a new game with <paramref name="seed"/>, a fresh secret (the fair shuffle): only its commitment goes out now.</summary>
    public TableResult Start(string playerId, byte[] seed)
    {
        if (CheckSeated(playerId) is { } error)
        {
            return error;
        }

        if (State.Phase == Phases.Playing)
        {
            return TableResult.Fail(ErrorCodes.GameInProgress, "the game has already started");
        }

        if (State.Players.Count < 2)
        {
            return TableResult.Fail(ErrorCodes.NotEnoughPlayers, "a game needs at least 2 seated players");
        }

        var game = CrazyEights.Deal(State.Players.Select(p => p.PlayerId).ToList(), seed);
        State.Game = game;
        State.Phase = Phases.Playing;
        State.GamesDealt++;
        State.TurnStartedAt = time.GetUtcNow();
        var hands = game.Hands.ToImmutableDictionary(h => h.Key, h => h.Value.Select(c => c.ToString()).ToImmutableArray());
        // card: the turned-up top card of the discard pile (public); hand: each player's own cards only.
        Emit(new TableEvent(RoomId, 0, EventKinds.Started, playerId, Card: game.TopCard?.ToString(), Suit: SuitNames.ToWire(game.SuitToFollow),
            Turn: game.Turn, DeckCommitment: FairShuffle.Commitment(seed)), hands: hands);
        return TableResult.Ok(View(playerId));
    }

    /// <summary>Takes a card for <paramref name="playerId"/>; <paramref name="auto"/> when the server does it.</summary>
    public TableResult Take(string playerId, string? moveId = null, bool auto = false)
    {
        if (BeforeMove(playerId, moveId) is { } answered)
        {
            return answered;
        }

        var game = State.Game!;
        var result = CrazyEights.Take(game, playerId);
        if (!result.IsOk)
        {
            return Rejected(result);
        }

        RestartTurnClock();
        Emit(new TableEvent(RoomId, 0, EventKinds.Took, playerId, Card: result.Card?.ToString(),
            HandCount: HandCount(playerId), Turn: game.Turn, Auto: auto ? true : null));
        RememberMove(playerId, moveId);
        FinishIfWon();
        return TableResult.Ok(View(playerId));
    }

    public TableResult Put(string playerId, string card, string? suit, string? moveId = null)
    {
        if (BeforeMove(playerId, moveId) is { } answered)
        {
            return answered;
        }

        var game = State.Game!;
        var result = CrazyEights.Put(game, playerId, card, suit);
        if (!result.IsOk)
        {
            return Rejected(result);
        }

        RestartTurnClock();
        Emit(new TableEvent(RoomId, 0, EventKinds.Put, playerId, Card: card, Suit: SuitNames.ToWire(game.SuitToFollow),
            HandCount: HandCount(playerId), Turn: game.Turn));
        RememberMove(playerId, moveId);
        FinishIfWon();
        return TableResult.Ok(View(playerId));
    }

    public TableResult Leave(string playerId)
    {
        if (CheckSeated(playerId) is { } error)
        {
            return error;
        }

        RemovePlayer(FindSeat(playerId)!);
        return TableResult.Ok(View(playerId));
    }

    /// <summary>Records that the player's connections went to zero or up from zero. False if nothing changed.</summary>
    public bool SetConnected(string playerId, bool connected)
    {
        var seat = FindSeat(playerId);
        if (!State.Exists || seat is null || seat.Connected == connected)
        {
            return false;
        }

        seat.Connected = connected;
        seat.DisconnectedAt = connected ? null : time.GetUtcNow();
        Emit(new TableEvent(RoomId, 0, EventKinds.Connection, playerId, Connected: connected));
        return true;
    }

    /// <summary>
    /// What the clock demands now: seats whose hold expired are released (their players leave), and a player whose
    /// turn timed out gets a card taken for them (<c>auto: true</c>).
    /// </summary>
    public void OnTimer()
    {
        if (!State.Exists)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (EmptyUntil() <= now)
        {
            // Nobody ever joined: the room closes and leaves the room list (it emitted no event, so none is needed).
            State.Exists = false;
            State.Phase = Phases.Finished;
            Changed = true;
            return;
        }

        foreach (var seat in State.Players.Where(s => !s.Connected && s.DisconnectedAt + options.SeatHold <= now).ToList())
        {
            RemovePlayer(seat);
            _notices.Add(new PlayerNotice(seat.PlayerId, Won: null));
        }

        if (State is { Phase: Phases.Playing, Game.Turn: { } turn } && State.TurnStartedAt + options.TurnTimeout <= now)
        {
            Take(turn, auto: true);
        }
    }

    /// <summary>When <see cref="OnTimer"/> next has something to do, or null.</summary>
    public DateTimeOffset? NextDeadline()
    {
        if (!State.Exists)
        {
            return null;
        }

        DateTimeOffset? due = TurnEndsAt() ?? EmptyUntil();
        foreach (var seat in State.Players)
        {
            if (!seat.Connected && seat.DisconnectedAt + options.SeatHold is { } release && (due is null || release < due))
            {
                due = release;
            }
        }

        return due;
    }

    public bool IsSeated(string playerId) => State.Exists && FindSeat(playerId) is not null;

    /// <summary>A quick-play room whose seats are all taken and that is not playing: it deals now.</summary>
    public bool DealsByItself => State is { Exists: true, QuickPlay: true } && State.Phase != Phases.Playing && State.Players.Count == State.Seats;

    /// <summary>
    /// Connections watching this room, on all edges (kept by the grain from the edges' subscriptions; not persisted).
    /// </summary>
    public int Spectators { get; set; }

    /// <summary>When a room nobody has joined closes; null once someone has (a room closes when its last player leaves).</summary>
    private DateTimeOffset? EmptyUntil() =>
        State.Players.Count == 0 && State.Seq == 0 ? (State.CreatedAt ?? _loadedAt) + options.EmptyRoom : null;

    public RoomInfo Info() => new(RoomId, State.Name, State.Seats, State.Players.Count, State.Phase, Spectators);

    /// <summary>Whether <see cref="Info"/> would equal <paramref name="info"/> (checked after every commit without making one).</summary>
    public bool InfoEquals(RoomInfo? info) =>
        info is not null && info.RoomId == RoomId && info.Name == State.Name && info.Seats == State.Seats
        && info.Players == State.Players.Count && info.Phase == State.Phase && info.Spectators == Spectators;

    /// <summary>When the player to move will be timed out; null when no game is being played.</summary>
    public DateTimeOffset? TurnEndsAt() =>
        State is { Phase: Phases.Playing, TurnStartedAt: { } started } ? started + options.TurnTimeout : null;

    /// <summary>The table as <paramref name="viewerId"/> sees it: their own hand only.</summary>
    public TableView View(string viewerId)
    {
        // Made on every move (the mover's answer): plain loops into lists of the right size, no LINQ.
        var game = State.Game;
        var players = new List<PlayerView>(State.Players.Count);
        foreach (var seat in State.Players)
        {
            players.Add(new PlayerView(seat.PlayerId, seat.Name, HandCount(seat.PlayerId), seat.Connected));
        }

        List<string>? hand = null;
        if (game is not null && FindSeat(viewerId) is not null && game.Hands.TryGetValue(viewerId, out var cards))
        {
            hand = new List<string>(cards.Count);
            foreach (var card in cards)
            {
                hand.Add(card.ToString());
            }
        }

        return new TableView(
            RoomId,
            State.Name,
            State.Seq,
            State.Phase,
            State.Seats,
            players,
            State.Phase == Phases.Playing ? game?.Turn : null,
            game?.TopCard?.ToString(),
            game is null ? null : SuitNames.ToWire(game.SuitToFollow),
            game?.Stock.Count ?? 0,
            hand,
            State.Phase == Phases.Finished ? game?.Winner : null,
            TurnEndsAt(),
            Spectators,
            State.Phase == Phases.Playing ? Commitment(game) : null);
    }

    public TableResult RoomNotFound() => TableResult.Fail(GameError.RoomNotFound(RoomId));

    private void RemovePlayer(SeatState seat)
    {
        var recipients = SeatedIds();
        State.Players.Remove(seat);
        // A player who left sends no more moves here (a retry is answered only while seated): their move ids would pile up.
        State.AppliedMoves.Remove(seat.PlayerId);
        State.MoveDigests.Remove(seat.PlayerId);
        var game = State.Game;
        if (State.Phase == Phases.Playing && game is not null && game.Players.Contains(seat.PlayerId))
        {
            var turnBefore = game.Turn;
            CrazyEights.Leave(game, seat.PlayerId);
            if (game.Turn != turnBefore || game.IsFinished)
            {
                RestartTurnClock();
            }

            Emit(new TableEvent(RoomId, 0, EventKinds.Left, seat.PlayerId, Turn: game.Turn), recipients);
            FinishIfWon();
        }
        else
        {
            Emit(new TableEvent(RoomId, 0, EventKinds.Left, seat.PlayerId), recipients);
        }

        if (State.Players.Count == 0)
        {
            // The last player left: the room closes and leaves the room list.
            State.Exists = false;
            State.Phase = Phases.Finished;
        }
    }

    /// <summary>After a move, before its event: the next player's turn clock starts now (none once someone has won).</summary>
    private void RestartTurnClock() => State.TurnStartedAt = State.Game!.IsFinished ? null : time.GetUtcNow();

    /// <summary>After a move's event: finishes the game when someone has won.</summary>
    private void FinishIfWon()
    {
        var game = State.Game!;
        if (!game.IsFinished)
        {
            return;
        }

        State.Phase = Phases.Finished;
        State.TurnStartedAt = null;
        // The game is over: its seed is revealed so anyone can check the deal and the reshuffles (docs/fair-shuffle.md).
        Emit(new TableEvent(RoomId, 0, EventKinds.Finished, game.Winner, Winner: game.Winner, DeckSeed: game.Seed));
        _notices.AddRange(game.Players.Select(p => new PlayerNotice(p, Won: p == game.Winner)));
    }

    private void Emit(TableEvent tableEvent, ImmutableArray<string>? recipients = null, ImmutableDictionary<string, ImmutableArray<string>>? hands = null)
    {
        State.Seq++;
        Changed = true;
        _pending.Add(new TableNotification(tableEvent with { Seq = State.Seq, TurnEndsAt = TurnEndsAt() }, recipients ?? SeatedIds(), hands));
    }

    /// <summary>A retry of a move this table already applied: the original outcome, without applying it again.</summary>
    /// <summary>
    /// What a move gets without being tried: <c>bad_request</c> for a malformed move id, the original outcome for a
    /// retried one, or the error when the game is not on or the caller is not seated; null when the move may go ahead.
    /// </summary>
    private TableResult? BeforeMove(string playerId, string? moveId) =>
        !IsValidMoveId(moveId) ? BadMoveId() : Retried(playerId, moveId) ?? CheckPlaying(playerId);

    /// <summary>A move id is optional; when given, 1–64 printable characters.</summary>
    private static bool IsValidMoveId(string? moveId) =>
        moveId is null || (moveId.Length is > 0 and <= 64 && !moveId.Any(char.IsControl));

    private static TableResult BadMoveId() => TableResult.Fail(ErrorCodes.BadRequest, "moveId must be 1 to 64 printable characters");

    private TableResult? Retried(string playerId, string? moveId) =>
        moveId is not null && IsSeated(playerId) && Remembers(playerId, moveId)
            ? TableResult.Ok(View(playerId))
            : null;

    /// <summary>Whether <paramref name="moveId"/> is one of the player's remembered moves: in full, or by its digest.</summary>
    private bool Remembers(string playerId, string moveId)
    {
        if (State.AppliedMoves.TryGetValue(playerId, out var moves) && moves.Contains(moveId))
        {
            return true;
        }

        Span<byte> digests = stackalloc byte[(MovesRemembered + 1) * DigestSize];
        var count = StoredDigests(playerId, digests);
        var digest = DigestOf(moveId);
        for (var i = 0; i < count; i++)
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(digests[(i * DigestSize)..]) == digest)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds the move's digest to the player's digests (at most <see cref="MovesRemembered"/>, started from the ids in
    /// full of a table stored before digests), and the id itself to the latest <see cref="MovesKeptInFull"/>.
    /// </summary>
    private void RememberMove(string playerId, string? moveId)
    {
        if (moveId is null)
        {
            return;
        }

        if (!State.AppliedMoves.TryGetValue(playerId, out var moves))
        {
            State.AppliedMoves[playerId] = moves = [];
        }

        Span<byte> digests = stackalloc byte[(MovesRemembered + 1) * DigestSize];
        var count = StoredDigests(playerId, digests);
        if (count < 0)
        {
            // No digests yet (a table stored before them): its ids in full are the memory to start from.
            count = 0;
            foreach (var id in moves.Count > MovesRemembered ? moves[^MovesRemembered..] : moves)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(digests[(count++ * DigestSize)..], MoveDigest(id));
            }
        }

        BinaryPrimitives.WriteUInt64LittleEndian(digests[(count++ * DigestSize)..], DigestOf(moveId));
        var kept = Math.Min(count, MovesRemembered);
        State.MoveDigests[playerId] = Convert.ToBase64String(digests.Slice((count - kept) * DigestSize, kept * DigestSize));

        moves.Add(moveId);
        if (moves.Count > MovesKeptInFull)
        {
            moves.RemoveRange(0, moves.Count - MovesKeptInFull);
        }
    }

    /// <summary>The player's stored digests decoded into <paramref name="digests"/>: how many, or -1 when there are none.</summary>
    private int StoredDigests(string playerId, Span<byte> digests) =>
        State.MoveDigests.TryGetValue(playerId, out var stored)
        && Convert.TryFromBase64String(stored, digests[..(MovesRemembered * DigestSize)], out var written)
            ? written / DigestSize
            : -1;

    /// <summary>The digest of the move being checked, then remembered: worked out once per move, not twice.</summary>
    private ulong DigestOf(string moveId)
    {
        if (!ReferenceEquals(_digested.MoveId, moveId))
        {
            _digested = (moveId, MoveDigest(moveId));
        }

        return _digested.Digest;
    }

    /// <summary>
    /// A move id's digest, as <see cref="TableState.MoveDigests"/> holds it: the first 8 bytes (little-endian) of the
    /// SHA-256 of its UTF-8 text, the same in every process and version.
    /// </summary>
    public static ulong MoveDigest(string moveId)
    {
        Span<byte> text = stackalloc byte[Encoding.UTF8.GetMaxByteCount(moveId.Length)];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text[..Encoding.UTF8.GetBytes(moveId, text)], hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    /// <summary>A rule's rejection, worded for people: players by name rather than by id.</summary>
    private TableResult Rejected(RuleResult result) => result.Error?.Code == ErrorCodes.NotYourTurn && State.Game?.Turn is { } turn
        ? TableResult.Fail(ErrorCodes.NotYourTurn, $"it is {FindSeat(turn)?.Name ?? turn}'s turn")
        : TableResult.Fail(result.Error!);

    private TableResult? CheckSeated(string playerId)
    {
        if (!State.Exists)
        {
            return RoomNotFound();
        }

        return FindSeat(playerId) is null ? TableResult.Fail(ErrorCodes.NotSeated, "you are not seated at this table") : null;
    }

    private TableResult? CheckPlaying(string playerId)
    {
        if (CheckSeated(playerId) is { } error)
        {
            return error;
        }

        if (State.Phase != Phases.Playing || State.Game is null)
        {
            return TableResult.Fail(ErrorCodes.GameNotStarted, "no game is being played at this table");
        }

        return State.Game.Players.Contains(playerId)
            ? null
            : TableResult.Fail(ErrorCodes.NotSeated, "you are not playing in this game");
    }

    /// <summary>
    /// The commitment to the game's seed; null for a game dealt before the fair shuffle (it has no seed). Worked out
    /// once per seed, not on every view.
    /// </summary>
    private string? Commitment(CrazyEightsGame? game)
    {
        if (game?.Seed is not { } seed)
        {
            return null;
        }

        if (!ReferenceEquals(seed, _committedSeed))
        {
            _commitment = FairShuffle.Commitment(Convert.FromHexString(seed));
            _committedSeed = seed;
        }

        return _commitment;
    }

    private SeatState? FindSeat(string playerId)
    {
        // A loop, not List.Find with a lambda: a closure and a delegate per call, several calls per move.
        var players = State.Players;
        for (var i = 0; i < players.Count; i++)
        {
            if (players[i].PlayerId == playerId)
            {
                return players[i];
            }
        }

        return null;
    }

    /// <summary>
    /// The seated players' ids in seating order: every event's recipients. The same array while nobody joins or leaves
    /// (checked against the seats each time), not a new one per event.
    /// </summary>
    private ImmutableArray<string> SeatedIds()
    {
        var seats = State.Players;
        var same = !_seatedIds.IsDefault && _seatedIds.Length == seats.Count;
        for (var i = 0; same && i < seats.Count; i++)
        {
            same = ReferenceEquals(_seatedIds[i], seats[i].PlayerId);
        }

        if (!same)
        {
            _seatedIds = [.. seats.Select(p => p.PlayerId)];
        }

        return _seatedIds;
    }

    private int HandCount(string playerId) =>
        State.Game is { } game && game.Hands.TryGetValue(playerId, out var hand) ? hand.Count : 0;
}
