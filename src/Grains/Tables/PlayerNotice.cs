namespace CardGame.Grains;

/// <summary>
/// A one-way notice from a table to a player grain, sent after the change is persisted: the game finished
/// (<see cref="Won"/> set), or the player's seat was released (<see cref="Won"/> null).
/// </summary>
public sealed record PlayerNotice(string PlayerId, bool? Won);
