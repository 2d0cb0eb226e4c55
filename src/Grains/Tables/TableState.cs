using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;

namespace CardGame.Grains;

/// <summary>
/// Everything a table persists. Stored as System.Text.Json (no type names), so renaming this class does not break
/// stored tables; only ever add properties.
/// </summary>
public sealed class TableState
{
    public bool Exists { get; set; }

    public string Name { get; set; } = "";

    public int Seats { get; set; }

    public string CreatorId { get; set; } = "";

    /// <summary>The number of the last event; every event adds exactly one.</summary>
    public long Seq { get; set; }

    public string Phase { get; set; } = Phases.Waiting;

    /// <summary>Seated players in join order (the seating order).</summary>
    public List<SeatState> Players { get; set; } = [];

    /// <summary>The current or last game; null before the first start.</summary>
    public CrazyEightsGame? Game { get; set; }

    /// <summary>When the player to move got the turn; drives the turn timer, also after a reactivation.</summary>
    public DateTimeOffset? TurnStartedAt { get; set; }

    /// <summary>How many games this table has dealt.</summary>
    public int GamesDealt { get; set; }

    /// <summary>
    /// Per player, the client-chosen ids of their most recent applied moves, written with the move itself so a retry is
    /// recognised after a crash. Since <see cref="MoveDigests"/> the latest <see cref="Table.MovesKeptInFull"/> only (a
    /// version that knows no digests still recognises those); tables stored before it hold up to
    /// <see cref="Table.MovesRemembered"/>, all recognised.
    /// </summary>
    public Dictionary<string, List<string>> AppliedMoves { get; set; } = [];

    /// <summary>When the room was created; a room nobody joins closes <c>Game:EmptyRoomSeconds</c> later. Null in tables stored before it existed.</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    /// <summary>A quick-play room: it deals by itself whenever its last seat is taken.</summary>
    public bool QuickPlay { get; set; }

    /// <summary>
    /// Per player, an 8-byte digest of each of their <see cref="Table.MovesRemembered"/> most recent applied move ids,
    /// oldest first, as one base64 string: the move memory in a tenth of the bytes (a 32-character move id is 35
    /// bytes of JSON, its digest 8 bytes of base64), written on every move. Absent in tables stored before it.
    /// </summary>
    public Dictionary<string, string> MoveDigests { get; set; } = [];

    /// <summary>
    /// Not stored (a field, which System.Text.Json leaves alone): the pooled array holding this state's JSON while a
    /// write of it is out (<see cref="TableStateJson.SerializeToWriteBuffer"/>).
    /// </summary>
    internal byte[]? WriteBuffer;
}
