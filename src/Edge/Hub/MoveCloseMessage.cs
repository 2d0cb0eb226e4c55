using Microsoft.AspNetCore.SignalR.Protocol;

namespace CardGame.Edge.Hub;

/// <summary>
/// A close that tells the client to move to another edge (reason <c>server_draining: ...</c>, reconnecting allowed).
/// Its reason reaches the client as written: it is not an error of a call, so it gets no error code in front.
/// </summary>
public sealed class MoveCloseMessage(string reason) : CloseMessage(reason, allowReconnect: true);
