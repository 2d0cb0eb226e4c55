namespace CardGame.Grains;

/// <summary>One seated player, as persisted with the table.</summary>
public sealed class SeatState
{
    public string PlayerId { get; set; } = "";

    public string Name { get; set; } = "";

    public bool Connected { get; set; } = true;

    /// <summary>When the player's last connection closed; the seat is released <c>Game:SeatHoldSeconds</c> later.</summary>
    public DateTimeOffset? DisconnectedAt { get; set; }
}
