namespace CardGame.LoadTest.Reporting;

/// <summary>Server memory with <see cref="Players"/> idle seated players: total RSS, and per player (total, and above the empty servers).</summary>
public sealed record IdleStep(int Players, long RssBytes, double BytesPerPlayer, double AddedBytesPerPlayer);
