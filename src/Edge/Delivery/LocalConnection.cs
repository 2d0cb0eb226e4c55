namespace CardGame.Edge.Delivery;

/// <summary>One authenticated SignalR connection on this edge: whose it is, and the outbox its events go through.</summary>
public sealed record LocalConnection(string ConnectionId, string PlayerId, ConnectionOutbox Outbox);
