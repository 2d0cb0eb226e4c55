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

    public TimeSpan TurnTimeout => TimeSpan.FromSeconds(TurnTimeoutSeconds);

    public TimeSpan SeatHold => TimeSpan.FromSeconds(SeatHoldSeconds);

    public TimeSpan SubscriptionLifetime => TimeSpan.FromSeconds(SubscriptionLifetimeSeconds);

    public TimeSpan ConnectionLease => TimeSpan.FromSeconds(ConnectionLeaseSeconds);

    public TimeSpan EmptyRoom => TimeSpan.FromSeconds(EmptyRoomSeconds);

    public TimeSpan DirectoryRefresh => TimeSpan.FromSeconds(DirectoryRefreshSeconds);

    public TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(DeliveryTimeoutSeconds);
}
