namespace CardGame.Edge.Auth;

/// <summary>The body of <c>POST /api/auth/guest</c>.</summary>
public sealed record GuestSignInRequest(string? Name);
