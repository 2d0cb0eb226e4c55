"""Tests of fair_shuffle.py (standard library only): python3 -m unittest test_fair_shuffle (from examples/python).

The same module is also run by Grains.Tests PythonVerifierTests on games played by the server's own table model.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import fair_shuffle

SEED = bytes(range(32))  # the worked example of docs/fair-shuffle.md


def play(seats, seed, moves=400):
    """A game played by the rules from the seed: each seat puts its first legal card, else takes. Returns its events as seats[0] sees them."""
    hands, stock, discard = fair_shuffle.deal(seats, seed)
    events = [{"seq": 10, "kind": "started", "playerId": seats[0], "card": discard[-1], "turn": seats[0],
               "hand": list(hands[seats[0]]), "deckCommitment": fair_shuffle.commitment(seed)}]
    suit, reshuffles, turn = discard[-1][-1], 0, 0
    for _ in range(moves):
        who = seats[turn]
        hand = hands[who]
        legal = [c for c in hand if c.startswith("8") or c[-1] == suit or c[:-1] == discard[-1][:-1]]
        seq = events[-1]["seq"] + 1
        if legal:
            card = legal[0]
            hand.remove(card)
            discard.append(card)
            suit = card[-1]
            events.append({"seq": seq, "kind": "put", "playerId": who, "card": card, "handCount": len(hand)})
            if not hand:
                events.append({"seq": seq + 1, "kind": "finished", "playerId": who, "winner": who,
                               "deckSeed": seed.hex()})
                return events
        else:
            if not stock and len(discard) > 1:
                stock, discard = discard[:-1], discard[-1:]
                reshuffles += 1
                fair_shuffle.shuffle(stock, seed, "reshuffle:%d" % reshuffles)
            card = stock.pop() if stock else None
            if card:
                hand.append(card)
            events.append({"seq": seq, "kind": "took", "playerId": who, "handCount": len(hand),
                           "card": card if who == seats[0] else None})
        turn = (turn + 1) % len(seats)
    raise AssertionError("the game did not end")


class FairShuffleTests(unittest.TestCase):
    def test_the_worked_example_of_the_docs(self):
        self.assertEqual("630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd", fair_shuffle.commitment(SEED))
        self.assertEqual("e32b8e1df597aa4b347aaa823e3e427578c9bd55256408986ac1afb48f51efd1", fair_shuffle.block(SEED, "deal", 0).hex())
        hands, stock, discard = fair_shuffle.deal(["alice", "bob"], SEED)
        self.assertEqual("KD QD QH 2D 5S AD QS".split(), hands["alice"])
        self.assertEqual("4H 9D 7H KC 5H 5C 7C".split(), hands["bob"])
        self.assertEqual(["6C"], discard)
        self.assertEqual(37, len(stock))

    def test_an_honest_game_verifies_and_tampered_ones_do_not(self):
        seats = ["alice", "bob", "carol"]
        events = play(seats, SEED)
        self.assertEqual((True, None), fair_shuffle.verify(seats, events, "alice"))

        other = bytes(32)
        wrong_seed = [dict(e) for e in events]
        wrong_seed[-1]["deckSeed"] = other.hex()
        self.assertIn("not the commitment", fair_shuffle.verify(seats, wrong_seed, "alice")[1])

        other_deal = [dict(e) for e in events]
        other_deal[0]["deckCommitment"] = fair_shuffle.commitment(other)
        other_deal[-1]["deckSeed"] = other.hex()
        self.assertFalse(fair_shuffle.verify(seats, other_deal, "alice")[0])

        took = next(i for i, e in enumerate(events) if e["kind"] == "took" and e["card"])
        swapped = [dict(e) for e in events]
        swapped[took]["card"] = next(c for c in fair_shuffle.DECK if c != events[took]["card"])
        self.assertIn("the seed gives", fair_shuffle.verify(seats, swapped, "alice")[1])

        self.assertIn("missing", fair_shuffle.verify(seats, events[:3] + events[4:], "alice")[1])

    def test_the_command_line_verifies_a_saved_history(self):
        seats = ["alice", "bob"]
        events = play(seats, SEED)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fair_shuffle.py")
        with tempfile.TemporaryDirectory() as folder:
            honest = os.path.join(folder, "honest.json")
            tampered = os.path.join(folder, "tampered.json")
            with open(honest, "w", encoding="utf-8") as f:
                json.dump({"seats": seats, "viewer": "alice", "events": events}, f)
            events[-1]["deckSeed"] = bytes(32).hex()
            with open(tampered, "w", encoding="utf-8") as f:
                json.dump({"seats": seats, "viewer": "alice", "events": events}, f)
            ok = subprocess.run([sys.executable, script, honest], capture_output=True, text=True)
            bad = subprocess.run([sys.executable, script, tampered], capture_output=True, text=True)
        self.assertEqual(0, ok.returncode, ok.stdout + ok.stderr)
        self.assertIn("verified", ok.stdout)
        self.assertEqual(1, bad.returncode, bad.stdout + bad.stderr)
        self.assertIn("NOT verified", bad.stdout)


if __name__ == "__main__":
    unittest.main()
