// Cards as the protocol writes them: rank + suit, e.g. "10H", "QS", "8C".

const SUIT_SYMBOLS = { C: '♣', D: '♦', H: '♥', S: '♠' };
const SUIT_NAMES = { C: 'clubs', D: 'diamonds', H: 'hearts', S: 'spades' };
const RANK_NAMES = { A: 'ace', J: 'jack', Q: 'queen', K: 'king' };
const RANK_ORDER = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'];
const SUIT_ORDER = ['S', 'H', 'C', 'D'];

export const rankOf = card => card.slice(0, -1);
export const suitOf = card => card.slice(-1);
export const suitSymbol = suit => SUIT_SYMBOLS[suit] ?? suit ?? '';
export const suitName = suit => SUIT_NAMES[suit] ?? suit ?? '';
export const isRed = suit => suit === 'H' || suit === 'D';
export const cardText = card => rankOf(card) + suitSymbol(suitOf(card));
export const cardName = card => `${RANK_NAMES[rankOf(card)] ?? rankOf(card)} of ${suitName(suitOf(card))}`;
export const isEight = card => rankOf(card) === '8';

/** Whether the rules allow putting `card` on `topCard` with `suit` to follow (a hint only: the server decides). */
export function canPut(card, topCard, suit) {
  return !!topCard && (isEight(card) || rankOf(card) === rankOf(topCard) || suitOf(card) === suit);
}

/** The hand in a reading order: by suit, then rank. */
export function sortHand(hand) {
  const key = card => SUIT_ORDER.indexOf(suitOf(card)) * 100 + RANK_ORDER.indexOf(rankOf(card));
  return [...hand].sort((a, b) => key(a) - key(b));
}

/** The suit the hand holds most of (besides `except`): what a player most likely wants to name for an 8. */
export function favouriteSuit(hand, except) {
  const counts = new Map();
  for (const card of hand) {
    if (card !== except) counts.set(suitOf(card), (counts.get(suitOf(card)) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}
