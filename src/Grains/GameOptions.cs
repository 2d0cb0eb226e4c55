using System.ComponentModel.DataAnnotations;

namespace CardGame.Grains;

/// <summary>Game settings, section <c>Game</c>. Every key is documented with its default in docs/configuration.md.</summary>
public sealed class GameOptions
{
    public const string SectionName = "Game";

    /// <summary>Seconds the player to move may think before the server takes a card for them. Default 30.</summary>
    [Range(0.1, 3600)]
    public double TurnTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds a seated player whose last connection closed keeps the seat. Default 60.</summary>
    [Range(0.1, 86400)]
    public double SeatHoldSeconds { get; set; } = 60;

    /// <summary>Seconds an edge subscription lives without being refreshed. Default 60.</summary>
    [Range(1, 3600)]
    public double SubscriptionLifetimeSeconds { get; set; } = 60;

    /// <summary>Seconds an edge's report of a player's connections counts without being repeated. Default 60.</summary>
    [Range(1, 3600)]
    public double ConnectionLeaseSeconds { get; set; } = 60;

    /// <summary>Milliseconds a silo's room-list cache serves the same list. Default 1000.</summary>
    [Range(0, 60000)]
    public int RoomListCacheMilliseconds { get; set; } = 1000;

    /// <summary>Seconds an edge may take to accept a batch of events before the table counts a failure. Default 5.</summary>
    [Range(0.1, 300)]
    public double DeliveryTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Whether a silo sends the event batches its tables queue for one edge while a call to it is in flight together, in
    /// one call (<see cref="EdgeDeliveries"/>; only to edges that take it). Default true.
    /// </summary>
    public bool CoalesceDeliveries { get; set; } = true;

    /// <summary>Undelivered events queued for one edge before the table drops that edge's subscription. Default 1000.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedEventsPerEdge { get; set; } = 1000;

    /// <summary>Seconds a room nobody has joined stays open before it is closed (and leaves the room list). Default 120.</summary>
    [Range(1, 86400)]
    public double EmptyRoomSeconds { get; set; } = 120;

    /// <summary>Rooms a player may have created that nobody has joined yet; one more is refused with <c>limit_reached</c>. Default 3.</summary>
    [Range(1, 1000)]
    public int MaxUnjoinedRoomsPerPlayer { get; set; } = 3;

    /// <summary>
    /// Seconds between a table's re-announcements of its room-list entry; a directory shard drops an entry not heard of
    /// for three periods. Default 30.
    /// </summary>
    [Range(0.1, 3600)]
    public double DirectoryRefreshSeconds { get; set; } = 30;

    /// <summary>
    /// Days a player record (name, games played and won, the room they sit at, the rooms they opened) is kept after
    /// its last write: Redis expires the key then. A player who plays or signs in (every connection does) has it rewritten
    /// at least every <see cref="PlayerRecordRefresh"/>, so only players gone that long lose it. Fractions are allowed.
    /// Default 30.
    /// </summary>
    [Range(0.00001, 36500)]
    public double PlayerRetentionDays { get; set; } = DefaultPlayerRetentionDays;

    public const double DefaultPlayerRetentionDays = 30;

    /// <summary>How long a player record is kept after its last write, in whole seconds (what Redis' EXPIRE takes).</summary>
    public TimeSpan PlayerRetention => RetentionOf(PlayerRetentionDays);

    /// <summary>How old an active player's record may get before a sign-in or a connection rewrites it: a quarter of the retention, at most a day.</summary>
    public TimeSpan PlayerRecordRefresh => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerDay, PlayerRetention.Ticks / 4));

    /// <summary><paramref name="days"/> rounded to whole seconds (Redis' EXPIRE takes no fractions), at least one.</summary>
    public static TimeSpan RetentionOf(double days) => TimeSpan.FromSeconds(Math.Max(1, Math.Round(days * 86400)));

    public TimeSpan TurnTimeout => TimeSpan.FromSeconds(TurnTimeoutSeconds);

    public TimeSpan SeatHold => TimeSpan.FromSeconds(SeatHoldSeconds);

    public TimeSpan SubscriptionLifetime => TimeSpan.FromSeconds(SubscriptionLifetimeSeconds);

    public TimeSpan ConnectionLease => TimeSpan.FromSeconds(ConnectionLeaseSeconds);

    public TimeSpan EmptyRoom => TimeSpan.FromSeconds(EmptyRoomSeconds);

    public TimeSpan DirectoryRefresh => TimeSpan.FromSeconds(DirectoryRefreshSeconds);

    public TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(DeliveryTimeoutSeconds);
}
