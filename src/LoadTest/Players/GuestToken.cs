namespace CardGame.LoadTest.Players;

/// <summary>The answer of <c>POST /api/auth/guest</c>.</summary>
public sealed record GuestToken(string Token, string PlayerId, string Name, DateTimeOffset ExpiresAt);
