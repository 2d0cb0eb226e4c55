// Checks the provably fair shuffle of a finished game (docs/fair-shuffle.md) with WebCrypto's SHA-256.
// Pure: no DOM, no network. The same algorithm as the server's FairShuffle and examples/python/fair_shuffle.py.

const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'];
/** The 52 cards before any shuffle: clubs, diamonds, hearts, spades, each from ace to king. */
export const DECK = [...'CDHS'].flatMap(suit => RANKS.map(rank => rank + suit));
const MIN_SEED_BYTES = 16;

/** Whether this page can check at all: WebCrypto exists only in secure contexts (https, localhost). */
export const canVerify = () => !!globalThis.crypto?.subtle;

const toHex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
const fromHex = hex => Uint8Array.from(hex.match(/../g) ?? [], h => parseInt(h, 16));
const sha256 = async bytes => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));

/** Lowercase hex of SHA-256 over the seed's bytes: the commitment `started` publishes. */
export async function commitment(seed) {
  return toHex(await sha256(seed));
}

/** Fisher–Yates from the end, j uniform in [0, i] from the label's stream of SHA-256(seed ‖ label ‖ counter) words. */
export async function shuffle(items, seed, label) {
  const labelBytes = new TextEncoder().encode(label);
  const input = new Uint8Array(seed.length + labelBytes.length + 4);
  input.set(seed);
  input.set(labelBytes, seed.length);
  let counter = 0;
  let words = [];
  const next = async () => {
    if (words.length === 0) {
      new DataView(input.buffer).setUint32(input.length - 4, counter++); // big-endian
      const block = new DataView((await sha256(input)).buffer);
      words = Array.from({ length: 8 }, (_, k) => block.getUint32(4 * k));
    }
    return words.shift();
  };
  for (let i = items.length - 1; i > 0; i--) {
    const n = i + 1;
    const limit = Math.floor(4294967296 / n) * n;
    let word = await next();
    while (word >= limit) word = await next();
    const j = word % n;
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Checks one game: `seats` the players in seat order when it was dealt, `events` from `started` to `finished` (every
 * seq between) as `viewer` received them. Resolves { ok: true } or { ok: false, problem }.
 */
export async function verifyGame(seats, events, viewer) {
  const fail = problem => ({ ok: false, problem });
  const started = events[0];
  const finished = events[events.length - 1];
  if (events.length < 2 || started.kind !== 'started' || finished.kind !== 'finished') {
    return fail('the events do not run from started to finished');
  }
  if (events.some((e, i) => e.seq !== started.seq + i)) return fail('an event of the game is missing');
  if (!started.deckCommitment) return fail('the game was dealt without a commitment');
  const seedHex = finished.deckSeed ?? '';
  if (seedHex.length < 2 * MIN_SEED_BYTES || seedHex.length % 2 || !/^[0-9a-f]*$/.test(seedHex)) {
    return fail('the finished game revealed no seed');
  }
  const seed = fromHex(seedHex);
  const revealed = await commitment(seed);
  if (revealed !== started.deckCommitment) return fail(`the revealed seed hashes to ${revealed}, not to the commitment ${started.deckCommitment}`);
  if (seats.length < 2 || seats.length > 6 || new Set(seats).size !== seats.length) return fail('the seats cannot have been dealt');

  let stock = await shuffle([...DECK], seed, 'deal');
  const hands = new Map(seats.map(seat => [seat, []]));
  for (let round = 0; round < (seats.length === 2 ? 7 : 5); round++) {
    for (const seat of seats) hands.get(seat).push(stock.pop());
  }
  while (stock[stock.length - 1].startsWith('8')) stock.unshift(stock.pop()); // an 8 turned up goes to the bottom
  let discard = [stock.pop()];
  if (started.turn !== seats[0]) return fail(`${started.turn} moved first, not the first seat`);
  if (started.card !== discard[0]) return fail(`the turned card was ${started.card}, the seed turns ${discard[0]}`);
  if (hands.has(viewer)) {
    const dealt = [...hands.get(viewer)].sort().join(' ');
    if ([...(started.hand ?? [])].sort().join(' ') !== dealt) return fail(`you were dealt ${(started.hand ?? []).join(' ')}, the seed deals ${dealt}`);
  }

  let reshuffles = 0;
  for (const e of events.slice(1)) {
    const hand = hands.get(e.playerId);
    const where = `seq ${e.seq}: `;
    if ((e.kind === 'took' || e.kind === 'put') && !hand) return fail(where + 'a move by someone not in the game');
    if (e.kind === 'took') {
      if (stock.length === 0 && discard.length > 1) {
        stock = discard.slice(0, -1);
        discard = discard.slice(-1);
        await shuffle(stock, seed, `reshuffle:${++reshuffles}`);
      }
      if (stock.length === 0) {
        if (e.card) return fail(where + `${e.card} was taken from an empty stock`);
      } else {
        const card = stock.pop();
        hand.push(card);
        if (e.card && e.card !== card) return fail(where + `${e.card} was taken, the seed gives ${card}`);
        if (!e.card && e.playerId === viewer) return fail(where + 'your own take did not show its card');
      }
    } else if (e.kind === 'put') {
      const index = hand.indexOf(e.card);
      if (index < 0) return fail(where + `${e.card} was put, but the seed did not put it in that hand`);
      hand.splice(index, 1);
      discard.push(e.card);
    } else if (e.kind === 'left' && hand) {
      stock = [...hand, ...stock]; // under the stock, the hand's first card at the bottom
      hands.delete(e.playerId);
    }
    if ((e.kind === 'took' || e.kind === 'put') && typeof e.handCount === 'number' && e.handCount !== hand.length) {
      return fail(where + `a hand of ${e.handCount} cards, the seed leaves ${hand.length}`);
    }
  }
  return { ok: true };
}
