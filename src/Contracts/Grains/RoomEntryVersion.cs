namespace CardGame.Contracts.Grains;

/// <summary>
/// Orders a table's announcements to its directory shard, which may arrive in any order (Orleans does not keep the order
/// of one-way calls: while a shard activates they were seen to arrive last first). <see cref="Seq"/> is the table's
/// event sequence number, which every change of players or phase raises and which survives a reload or a move;
/// <see cref="Stamp"/> (UTC ticks, rising within an activation) orders announcements of one <see cref="Seq"/> (the
/// spectator count, periodic refreshes).
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.RoomEntryVersion")]
public sealed record RoomEntryVersion(
    [property: Id(0)] long Seq,
    [property: Id(1)] long Stamp) : IComparable<RoomEntryVersion>
{
    public int CompareTo(RoomEntryVersion? other) =>
        other is null ? 1 : Seq != other.Seq ? Seq.CompareTo(other.Seq) : Stamp.CompareTo(other.Stamp);

    public static bool operator <(RoomEntryVersion left, RoomEntryVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(RoomEntryVersion left, RoomEntryVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(RoomEntryVersion left, RoomEntryVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RoomEntryVersion left, RoomEntryVersion right) => left.CompareTo(right) >= 0;
}
