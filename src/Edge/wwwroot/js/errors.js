// Hub failures arrive as "code: text" (after the SignalR client's own prefix); people see plain words instead.

const FRIENDLY = {
  auth_required: 'Please sign in first.',
  invalid_token: 'Your sign-in is no longer valid. Please sign in again.',
  token_expired: 'Your sign-in has expired. Please sign in again.',
  room_not_found: 'That room does not exist any more.',
  room_full: 'That room is full.',
  already_seated: 'You are already sitting at another table: leave it first.',
  not_seated: 'You are not sitting at this table.',
  game_not_started: 'The game has not started yet.',
  game_in_progress: 'A game is being played there. You can join when it is over.',
  not_enough_players: 'A game needs at least 2 players. Wait for someone to join.',
  not_your_turn: 'Please wait for your turn.',
  card_not_in_hand: 'You do not have that card.',
  illegal_card: 'That card does not fit: play the same rank or the suit to follow, or an 8.',
  suit_required: 'Name a suit for your 8.',
  rate_limited: 'Easy there! Too many clicks at once; try again in a moment.',
  unavailable: 'The game servers are busy right now. Please try again.',
};

/** Codes after which the session must sign in again. */
export const SIGN_IN_AGAIN = new Set(['auth_required', 'invalid_token', 'token_expired']);

/** { code, detail } from a HubException ("code: text"), or code null for anything else. */
export function parseHubError(error) {
  const message = String(error?.message ?? error ?? '');
  const marker = 'HubException: ';
  const tail = message.includes(marker) ? message.slice(message.lastIndexOf(marker) + marker.length) : message;
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(tail.trim());
  return match ? { code: match[1], detail: match[2] } : { code: null, detail: message };
}

/** What to tell a person about a failed call. */
export function friendlyError(error) {
  const { code, detail } = parseHubError(error);
  if (code === 'not_your_turn' && detail) {
    return { code, text: `Not your turn yet: ${detail}.` };
  }

  if (code && FRIENDLY[code]) {
    return { code, text: FRIENDLY[code] };
  }

  if (code) {
    return { code, text: capitalize(detail) || 'That did not work.' };
  }

  return { code: null, text: 'Lost contact with the server. Trying again…' };
}

const capitalize = text => (text ? text[0].toUpperCase() + text.slice(1) : text);
