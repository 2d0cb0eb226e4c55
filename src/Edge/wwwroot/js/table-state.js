// Keeps a TableView current from TableEvents: the pure part of the client, free of DOM and network.

/**
 * Applies one event to a view. Returns { status }:
 *  'stale'   – the view already reflects it (seq ≤ view.seq) or it is another room's: ignore;
 *  'applied' – with the new { view };
 *  'gap'     – events before it were missed (seq > view.seq + 1): catch up with Resume;
 *  'resync'  – the view cannot be brought up to date from the event alone (an event that carries too little, such as
 *              `started`, which has no counts): call GetTable.
 */
export function applyEvent(view, event, me) {
  if (!view || event.roomId !== view.roomId || event.seq <= view.seq) {
    return { status: 'stale' };
  }

  if (event.seq !== view.seq + 1) {
    return { status: 'gap' };
  }

  const next = {
    ...view,
    seq: event.seq,
    players: view.players.map(p => ({ ...p })),
    hand: view.hand ? [...view.hand] : view.hand,
    // Every event says when the player to move will be timed out (null when no game is on).
    turnEndsAt: event.turnEndsAt ?? null,
  };
  const player = next.players.find(p => p.playerId === event.playerId);
  switch (event.kind) {
    case 'took':
      if (next.stockCount === 0) {
        return { status: 'resync' }; // the discard pile was shuffled into the stock
      }

      next.stockCount -= 1;
      setHandCount(player, event.handCount);
      if (event.playerId === me && event.card) {
        next.hand = [...(next.hand ?? []), event.card];
      }

      next.turn = event.turn ?? null;
      return { status: 'applied', view: next };

    case 'put':
      next.topCard = event.card;
      next.suit = event.suit;
      setHandCount(player, event.handCount);
      if (event.playerId === me && next.hand) {
        const index = next.hand.indexOf(event.card);
        if (index >= 0) next.hand.splice(index, 1);
      }

      next.turn = event.turn ?? null;
      return { status: 'applied', view: next };

    case 'joined':
      if (!event.name) return { status: 'resync' };
      if (!player) next.players.push({ playerId: event.playerId, name: event.name, handCount: 0, connected: true });
      return { status: 'applied', view: next };

    case 'left':
      next.players = next.players.filter(p => p.playerId !== event.playerId);
      if (next.phase === 'playing') {
        next.stockCount += player?.handCount ?? 0; // their cards go to the bottom of the stock
        next.turn = event.turn ?? null;
      }

      return { status: 'applied', view: next };

    case 'finished':
      next.phase = 'finished';
      next.winner = event.winner ?? event.playerId ?? null;
      next.turn = null;
      return { status: 'applied', view: next };

    case 'connection':
      if (player) player.connected = !!event.connected;
      return { status: 'applied', view: next };

    default:
      // `started` has no counts, and an unknown kind may be newer than this client.
      return { status: 'resync' };
  }
}

function setHandCount(player, handCount) {
  if (player && typeof handCount === 'number') player.handCount = handCount;
}
