namespace CardGame.Edge.Auth;

/// <summary>The answer to <c>POST /api/auth/guest</c>: a token for a new player.</summary>
public sealed record GuestSignInResponse(string Token, string PlayerId, string Name, DateTimeOffset ExpiresAt);
