namespace CardGame.Edge.Delivery;

/// <summary>One authenticated client connection on this edge (hub or <c>/ws</c>): whose it is, and the outbox its events go through.</summary>
public sealed record LocalConnection(string ConnectionId, string PlayerId, ConnectionOutbox Outbox);
