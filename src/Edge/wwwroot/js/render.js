// Draws the lobby and the table from plain state; knows nothing of the connection.

import { $, el, show } from './dom.js';
import { canPut, cardName, cardText, isRed, rankOf, sortHand, suitName, suitOf, suitSymbol } from './cards.js';

const PHASE_TEXT = { waiting: 'waiting', playing: 'playing', finished: 'game over' };

export function cardFace(card, props = {}) {
  const suit = suitOf(card);
  return el(props.onclick ? 'button' : 'div', {
    type: props.onclick ? 'button' : undefined,
    class: `card face${isRed(suit) ? ' red' : ''}${props.playable ? ' playable' : ''}`,
    'aria-label': cardName(card),
    title: cardName(card),
    ...props,
    playable: undefined,
  },
  el('span', { class: 'corner' }, rankOf(card), el('br'), suitSymbol(suit)),
  el('span', { class: 'pip' }, suitSymbol(suit)));
}

/** The lobby: `rooms` in the server's order; `actions` holds { join(roomId), watch(roomId) }. */
export function renderRooms(rooms, actions) {
  const list = $('room-list');
  list.replaceChildren(...rooms.map(room => {
    const full = room.players >= room.seats;
    const canJoin = room.phase !== 'playing' && !full;
    const spectators = room.spectators ?? 0;
    return el('li', { class: 'room', 'data-testid': 'room', dataset: { roomId: room.roomId, phase: room.phase, players: String(room.players) } },
      el('span', { class: 'room-name', 'data-testid': 'room-title' }, room.name),
      el('span', { class: 'room-seats', 'data-testid': 'room-players' }, `${room.players}/${room.seats}`),
      el('span', { class: `badge ${room.phase}` }, PHASE_TEXT[room.phase] ?? room.phase),
      el('span', { class: 'room-spectators', 'data-testid': 'room-spectators', title: 'watching', dataset: { count: String(spectators) } },
        spectators > 0 ? `👁 ${spectators}` : ''),
      room.phase === 'playing'
        ? el('button', { type: 'button', class: 'secondary', 'data-testid': 'watch-room', onclick: () => actions.watch(room.roomId) }, 'Watch')
        : el('button', {
          type: 'button',
          class: 'secondary',
          'data-testid': 'join-room',
          disabled: !canJoin,
          onclick: () => actions.join(room.roomId),
        }, full ? 'Full' : 'Join'));
  }));
  show($('no-rooms'), rooms.length === 0);
}

/** Lobby order (as the server lists rooms): a free seat first, fullest first, then playing, then full; then by name. */
export function lobbyOrder(a, b) {
  const group = r => (r.phase !== 'playing' && r.players < r.seats ? 0 : r.phase === 'playing' ? 1 : 2);
  return group(a) - group(b)
    || (group(a) === 0 ? (a.seats - a.players) - (b.seats - b.players) : 0)
    || b.players - a.players
    || a.name.localeCompare(b.name)
    || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0);
}

/**
 * The table screen. `actions` holds { put(card), take() }; `watching`: the caller is a spectator here; `fairness`: the
 * shuffle check of the last finished game, if any.
 */
export function renderTable(view, me, actions, watching = false, fairness = null) {
  const screen = $('table-screen');
  const seated = view.players.some(p => p.playerId === me);
  const spectator = watching && !seated;
  const myTurn = !spectator && view.phase === 'playing' && view.turn === me;
  Object.assign(screen.dataset, {
    roomId: view.roomId,
    seq: String(view.seq),
    phase: view.phase,
    turn: view.turn ?? '',
    myTurn: String(myTurn),
    spectator: String(spectator),
  });
  screen.classList.toggle('my-turn', myTurn);
  screen.classList.toggle('spectating', spectator);
  show($('spectator-banner'), spectator);
  $('leave-room').textContent = spectator ? 'Stop watching' : 'Leave';
  const spectators = view.spectators ?? 0;
  $('spectators').textContent = spectators > 0 ? `👁 ${spectators} watching` : '';
  $('spectators').dataset.count = String(spectators);

  $('table-name').textContent = view.name;
  const phase = $('phase');
  phase.textContent = PHASE_TEXT[view.phase] ?? view.phase;
  phase.className = `badge ${view.phase}`;

  const waiting = view.phase === 'waiting';
  show($('waiting'), waiting);
  if (waiting) {
    const count = view.players.length;
    $('waiting-text').textContent = count < 2
      ? `Waiting for players (${count}/${view.seats}). A game needs at least 2.`
      : `${count}/${view.seats} players seated. Deal when everyone is here.`;
    $('start-game').disabled = count < 2 || !seated;
    show($('start-game'), !spectator);
  }

  const finished = view.phase === 'finished';
  show($('result'), finished);
  if (finished) {
    const winner = view.winner === me ? 'You win!' : view.winner ? `${nameOf(view, view.winner)} wins!` : 'Game over.';
    $('winner').textContent = winner;
    $('winner').dataset.winner = view.winner ?? '';
    $('rematch').disabled = view.players.length < 2 || !seated;
    show($('rematch'), !spectator);
  }

  const mark = finished && fairness?.roomId === view.roomId ? fairness : null;
  const fair = $('fair-shuffle');
  show(fair, !!mark);
  fair.textContent = mark?.text ?? '';
  fair.dataset.state = mark?.status ?? '';
  fair.className = `fairness ${mark?.status ?? ''}`;

  const dealt = !!view.topCard;
  show($('board'), dealt);
  $('stock-count').textContent = String(view.stockCount);
  $('take').dataset.count = String(view.stockCount);
  $('take').disabled = view.phase !== 'playing' || spectator;
  $('top-card').replaceChildren(...(view.topCard ? [cardFace(view.topCard)] : []));
  $('top-card').dataset.card = view.topCard ?? '';
  const suit = $('suit');
  suit.textContent = view.suit ? `${suitSymbol(view.suit)} ${suitName(view.suit)}` : '';
  suit.dataset.suit = view.suit ?? '';
  suit.className = isRed(view.suit) ? 'red' : '';

  show($('hand'), !spectator);
  const hand = spectator ? [] : view.hand ?? [];
  $('hand').replaceChildren(...sortHand(hand).map(card => cardFace(card, {
    'data-testid': 'card',
    'data-card': card,
    playable: myTurn && canPut(card, view.topCard, view.suit),
    disabled: view.phase !== 'playing',
    onclick: () => actions.put(card),
  })));
  $('hand').dataset.count = String(hand.length);

  $('players').replaceChildren(...view.players.map(p => el('li', {
    class: `player${p.playerId === view.turn ? ' to-move' : ''}${p.playerId === me ? ' me' : ''}`,
    'data-testid': 'player',
    dataset: { playerId: p.playerId, connected: String(p.connected), handCount: String(p.handCount) },
  },
  el('span', { class: `dot ${p.connected ? 'on' : 'off'}`, title: p.connected ? 'connected' : 'disconnected' }),
  el('span', { class: 'player-name' }, p.name, p.playerId === me ? ' (you)' : ''),
  !p.connected && el('span', { class: 'away' }, 'away'),
  el('span', { class: 'count', 'data-testid': 'hand-count' }, view.phase === 'waiting' ? '' : cardsText(p.handCount)))));
}

/** "Alice's turn · 23 s" counted down to the server's `turnEndsAt`, or hidden when nobody is to move. */
export function renderTurn(view, me, secondsLeft, totalSeconds) {
  const turnBox = $('turn');
  const active = !!view && view.phase === 'playing' && !!view.turn && secondsLeft !== null;
  show(turnBox, active);
  if (!active) return;
  turnBox.dataset.turn = view.turn;
  turnBox.classList.toggle('mine', view.turn === me);
  turnBox.classList.toggle('hurry', secondsLeft <= 5);
  $('turn-text').textContent = view.turn === me ? 'Your turn' : `${nameOf(view, view.turn)}'s turn`;
  const countdown = $('countdown');
  countdown.textContent = `${secondsLeft} s`;
  countdown.dataset.seconds = String(secondsLeft);
  countdown.dataset.endsAt = view.turnEndsAt;
  $('timer-bar').style.width = `${Math.max(0, Math.min(100, (secondsLeft / (totalSeconds || 1)) * 100))}%`;
}

/** The event log, newest first. `entries` are { seq, text } objects. */
export function renderLog(entries) {
  $('log').replaceChildren(...entries.slice(-40).reverse().map(entry =>
    el('li', { 'data-testid': 'log-entry', dataset: { seq: String(entry.seq ?? '') } }, entry.text)));
}

/** One event in words; `name(id)` gives "You" for the player themself. */
export function describeEvent(event, name) {
  const who = name(event.playerId);
  switch (event.kind) {
    case 'joined': return `${event.name && who !== 'You' ? event.name : who} sat down.`;
    case 'left': return `${who} left the table.`;
    case 'started': return `${who} dealt a new game. ${name(event.turn)} to start.`;
    case 'took': {
      const what = event.card ? `took ${cardText(event.card)}` : 'took a card';
      return event.auto ? `${who} ran out of time and ${what}.` : `${who} ${what}.`;
    }
    case 'put': {
      const declared = rankOf(event.card) === '8' ? ` and named ${suitSymbol(event.suit)} ${suitName(event.suit)}` : '';
      return `${who} put ${cardText(event.card)}${declared}.`;
    }
    case 'finished': return `${name(event.winner ?? event.playerId)} won the game!`;
    case 'connection': return event.connected ? `${who} is back.` : `${who} lost connection.`;
    default: return `${who}: ${event.kind}.`;
  }
}

const cardsText = n => (n === 1 ? '1 card' : `${n} cards`);

function nameOf(view, playerId) {
  return view.players.find(p => p.playerId === playerId)?.name ?? 'Someone';
}
