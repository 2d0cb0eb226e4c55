using Microsoft.AspNetCore.SignalR.Protocol;

namespace CardGame.Edge.Hub;

/// <summary>
/// The close a draining edge sends: its reason (<c>server_draining: ...</c>) reaches the client as it is, and the client
/// may reconnect (docs/protocol.md).
/// </summary>
public sealed class DrainCloseMessage(string reason) : CloseMessage(reason, allowReconnect: true);
