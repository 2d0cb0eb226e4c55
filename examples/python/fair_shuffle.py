#!/usr/bin/env python3
"""Checks CardGame's provably fair shuffle after a game (docs/fair-shuffle.md). Standard library only.

As a module:  ok, problem = verify(seats, events, viewer)
As a program: python3 fair_shuffle.py HISTORY.json   (exit 0 verified, 1 not verified, 2 unreadable)
              python3 fair_shuffle.py --deal SEEDHEX  (prints the commitment, the first block and the shuffled deck)
A history file is {"seats": [playerId, ...], "viewer": playerId or null, "events": [TableEvent, ...]}: the players in seat
order when the game was dealt, and the events from `started` to `finished` as that viewer received them.
"""
import hashlib
import json
import sys

RANKS = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"]
# The order before any shuffle: clubs, diamonds, hearts, spades, each from ace to king (index 0 = AC, 51 = KS).
DECK = [rank + suit for suit in "CDHS" for rank in RANKS]
MIN_SEED_BYTES = 16


def commitment(seed):
    """Lowercase hex of SHA-256 over the seed's bytes: what `started` publishes."""
    return hashlib.sha256(seed).hexdigest()


def block(seed, label, counter):
    """Block `counter` of a label's stream: SHA-256(seed || ASCII label || counter as 4 bytes big-endian)."""
    return hashlib.sha256(seed + label.encode("ascii") + counter.to_bytes(4, "big")).digest()


def words(seed, label):
    """The stream: each block read as eight 32-bit big-endian unsigned integers, blocks 0, 1, 2, ..."""
    counter = 0
    while True:
        data = block(seed, label, counter)
        for i in range(0, 32, 4):
            yield int.from_bytes(data[i:i + 4], "big")
        counter += 1


def shuffle(items, seed, label):
    """Fisher-Yates from the last position down; j uniform in [0, i] by rejection of words >= the largest multiple of i+1 below 2^32."""
    stream = words(seed, label)
    for i in range(len(items) - 1, 0, -1):
        n = i + 1
        limit = (1 << 32) // n * n
        word = next(stream)
        while word >= limit:
            word = next(stream)
        j = word % n
        items[i], items[j] = items[j], items[i]
    return items


def deal(seats, seed):
    """The piles right after the deal: (hands by player, stock with its top last, discard pile with its top last)."""
    stock = shuffle(list(DECK), seed, "deal")
    hands = {seat: [] for seat in seats}
    for _ in range(7 if len(seats) == 2 else 5):
        for seat in seats:
            hands[seat].append(stock.pop())
    while stock[-1].startswith("8"):
        stock.insert(0, stock.pop())  # an 8 turned up goes to the bottom and the next card is turned
    return hands, stock, [stock.pop()]


def verify(seats, events, viewer=None):
    """Returns (True, None) when the game is consistent with its revealed seed, else (False, the first problem)."""
    if len(events) < 2 or events[0].get("kind") != "started" or events[-1].get("kind") != "finished":
        return False, "the events do not run from started to finished"
    started, finished = events[0], events[-1]
    for i, event in enumerate(events):
        if event.get("seq") != started.get("seq", 0) + i:
            return False, "event %d is missing" % (started.get("seq", 0) + i)
    promised = started.get("deckCommitment")
    if not promised:
        return False, "started carries no deckCommitment"
    text = finished.get("deckSeed") or ""
    if len(text) < 2 * MIN_SEED_BYTES or len(text) % 2 or any(c not in "0123456789abcdef" for c in text):
        return False, "finished carries no deckSeed of at least %d bytes in lowercase hex" % MIN_SEED_BYTES
    seed = bytes.fromhex(text)
    if commitment(seed) != promised:
        return False, "SHA-256 of the revealed seed is %s, not the commitment %s" % (commitment(seed), promised)
    if not 2 <= len(seats) <= 6 or len(set(seats)) != len(seats):
        return False, "%d seats cannot have been dealt" % len(seats)

    hands, stock, discard = deal(seats, seed)
    if started.get("turn") != seats[0]:
        return False, "%s moves first, but the first seat is %s" % (started.get("turn"), seats[0])
    if started.get("card") != discard[-1]:
        return False, "the turned card is %s, the seed turns %s" % (started.get("card"), discard[-1])
    if viewer in hands and sorted(started.get("hand") or []) != sorted(hands[viewer]):
        return False, "%s was dealt %s, the seed deals %s" % (viewer, started.get("hand"), hands[viewer])

    reshuffles = 0
    for e in events[1:]:
        kind, who, card = e.get("kind"), e.get("playerId"), e.get("card")
        where = "seq %s (%s by %s): " % (e.get("seq"), kind, who)
        if kind in ("took", "put") and who not in hands:
            return False, where + "not a player of this game"
        if kind == "took":
            hand = hands[who]
            if not stock and len(discard) > 1:
                stock, discard = discard[:-1], discard[-1:]
                reshuffles += 1
                shuffle(stock, seed, "reshuffle:%d" % reshuffles)
            if not stock:
                if card is not None:
                    return False, where + "took %s from an empty stock" % card
            else:
                drawn = stock.pop()
                hand.append(drawn)
                if card is not None and card != drawn:
                    return False, where + "took %s, the seed gives %s" % (card, drawn)
                if card is None and who == viewer:
                    return False, where + "my own take did not show the card"
        elif kind == "put":
            hand = hands[who]
            if card not in hand:
                return False, where + "put %s, which the seed did not put in that hand %s" % (card, hand)
            hand.remove(card)
            discard.append(card)
        elif kind == "left" and who in hands:
            stock[0:0] = hands.pop(who)  # under the stock, the first card of the hand at the bottom
        elif kind == "finished":
            winner = e.get("winner")
            if winner in hands and len(hands) > 1 and hands[winner]:
                return False, where + "%s won holding %s" % (winner, hands[winner])
        if kind in ("took", "put") and e.get("handCount") is not None and e["handCount"] != len(hands[who]):
            return False, where + "says %d cards in hand, the seed leaves %d" % (e["handCount"], len(hands[who]))
    return True, None


def main(argv):
    if len(argv) == 3 and argv[1] == "--deal":
        seed = bytes.fromhex(argv[2])
        print("commitment  ", commitment(seed))
        print("deal block 0", block(seed, "deal", 0).hex())
        print("deck, bottom first:", " ".join(shuffle(list(DECK), seed, "deal")))
        return 0
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            history = json.load(f)
        ok, problem = verify(history["seats"], history["events"], history.get("viewer"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("cannot read %s: %s" % (argv[1], error), file=sys.stderr)
        return 2
    print("verified: the shuffle matches its commitment" if ok else "NOT verified: " + problem)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
