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
    /// Per player, the client-chosen ids of their most recent applied moves (at most
    /// <see cref="Table.MovesRemembered"/>), written with the move itself so a retry is recognised after a crash.
    /// </summary>
    public Dictionary<string, List<string>> AppliedMoves { get; set; } = [];

    /// <summary>When the room was created; a room nobody joins closes <c>Game:EmptyRoomSeconds</c> later. Null in tables stored before it existed.</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    /// <summary>A quick-play room: it deals by itself whenever its last seat is taken.</summary>
    public bool QuickPlay { get; set; }
}
