#!/usr/bin/env python3
"""A CardGame bot over the plain WebSocket endpoint /ws (docs/protocol.md). Standard library and `websockets` only.

    python3 cardgame_bot.py --url http://127.0.0.1:5101                 # one bot: quick play, or wait in a new room
    python3 cardgame_bot.py --url http://127.0.0.1:5101 --players 2     # two bots in one process play each other
    python3 cardgame_bot.py --url http://127.0.0.1:5101 --room ROOM_ID  # join a given room (e.g. a friend's)

Each bot signs in as a guest (POST /api/auth/guest), authenticates on /ws, takes a seat (alone: quick_play when the
server has it, else create_room + join_room; several bots of one process: the first opens a room and the others join
it), plays legal moves until the game ends, then checks the fair shuffle of that
game from the events it received (fair_shuffle.py, docs/fair-shuffle.md). Exit status 0 when every bot finished a
game and every check passed.
"""
import argparse
import asyncio
import itertools
import json
import sys
import urllib.request
from collections import Counter

import websockets

import fair_shuffle

RANK_EIGHT = "8"


def rank(card):
    return card[:-1]


def suit(card):
    return card[-1]


def choose_move(hand, top_card, suit_to_follow):
    """A legal move from what a player sees: ("put", card, suit or None) or ("take", None, None).

    A card matching the top card's rank or the suit to follow (eights kept for last); else an 8 naming the suit held
    most; else take a card."""
    legal = [c for c in hand if rank(c) == RANK_EIGHT or suit(c) == suit_to_follow
             or (top_card is not None and rank(c) == rank(top_card))]
    plain = [c for c in legal if rank(c) != RANK_EIGHT]
    if plain:
        return "put", plain[0], None
    if legal:
        held = Counter(suit(c) for c in hand if rank(c) != RANK_EIGHT)
        return "put", legal[0], held.most_common(1)[0][0] if held else "S"
    return "take", None, None


class ServerError(Exception):
    """An error frame: {"msg": "error", "code": ..., "text": ...}."""

    def __init__(self, code, text):
        super().__init__("%s: %s" % (code, text))
        self.code = code
        self.text = text


class Bot:
    """One player on one /ws connection. `events` keeps every table event received, in order: the game's history."""

    def __init__(self, url, name, log):
        self.url = url.rstrip("/")
        self.name = name
        self.log = log
        self.player_id = None
        self.events = []
        self.seats = {}           # room -> player ids in seat order when the game was dealt
        self._ids = itertools.count(1)
        self._replies = {}
        self._event_arrived = asyncio.Event()
        self._socket = None
        self._reader = None

    # --- connection -------------------------------------------------------------------------------------------

    async def connect(self):
        token = self._guest_token()
        socket_url = "ws" + self.url[len("http"):] + "/ws"
        self._socket = await websockets.connect(socket_url, max_size=1 << 20)
        self._reader = asyncio.create_task(self._read_all())
        welcome = await self.request("auth", token=token)
        self.player_id = welcome["playerId"]
        self.log("%s signed in as %s" % (self.name, self.player_id))
        return welcome

    async def close(self):
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def _guest_token(self):
        body = json.dumps({"name": self.name}).encode("utf-8")
        request = urllib.request.Request(self.url + "/api/auth/guest", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["token"]

    async def request(self, msg, **arguments):
        """Sends {"msg": msg, "id": ..., **arguments}; returns the reply's result or raises ServerError.

        A request refused with rate_limited changed nothing: it is sent again after a moment."""
        for attempt in itertools.count():
            request_id = next(self._ids)
            reply = asyncio.get_running_loop().create_future()
            self._replies[request_id] = reply
            await self._socket.send(json.dumps(dict(arguments, msg=msg, id=request_id)))
            frame = await asyncio.wait_for(reply, timeout=30)
            if frame["msg"] != "error":
                return frame["result"]
            if frame["code"] != "rate_limited" or attempt >= 20:
                raise ServerError(frame["code"], frame["text"])
            await asyncio.sleep(0.25)

    async def _read_all(self):
        try:
            async for text in self._socket:
                frame = json.loads(text)
                if frame.get("msg") == "event":
                    self.events.append(frame["event"])
                    self._event_arrived.set()
                elif "id" in frame and frame["id"] in self._replies:
                    self._replies.pop(frame["id"]).set_result(frame)
                elif frame.get("msg") == "error":
                    self.log("%s: the server says %s: %s" % (self.name, frame.get("code"), frame.get("text")))
        except websockets.ConnectionClosed:
            pass
        finally:
            for reply in self._replies.values():
                if not reply.done():
                    reply.set_exception(ConnectionError("the connection closed"))
            self._event_arrived.set()

    # --- taking a seat ------------------------------------------------------------------------------------------

    async def quick_play(self, seats):
        """The room quick play seated us at, or None when this server has no quick play."""
        try:
            view = await self.request("quick_play", seats=seats)
        except ServerError as error:
            if error.code == "bad_request" and "not served" in error.text:
                return None
            raise
        return view["roomId"]

    async def create_room(self, seats):
        room = await self.request("create_room", name="python " + self.name, seats=seats)
        await self.join(room["roomId"])
        return room["roomId"]

    async def join(self, room):
        await self.request("join_room", room=room)

    # --- playing ------------------------------------------------------------------------------------------------

    async def play_game(self, room, seats):
        """Plays in `room` until a game there finishes; returns its events from `started` to `finished`."""
        started_at = None
        seen = 0
        while True:
            while seen < len(self.events):
                event = self.events[seen]
                seen += 1
                if event["roomId"] != room:
                    continue
                if event["kind"] == "started":
                    started_at = seen - 1
                    view = await self.request("table", room=room)
                    self.seats[room] = [p["playerId"] for p in view["players"]]
                elif event["kind"] == "finished" and started_at is not None:
                    return self.events[started_at:seen]

            view = await self.request("table", room=room)
            if view["phase"] == "waiting" and len(view["players"]) == seats and started_at is None:
                try:
                    await self.request("start", room=room)
                except ServerError as error:
                    if error.code != "game_in_progress":  # someone else (or the quick-play room) dealt first
                        raise
            elif view["phase"] == "playing" and view["turn"] == self.player_id and started_at is not None:
                await self.move(room, view)
                continue

            self._event_arrived.clear()
            if seen == len(self.events):
                try:
                    await asyncio.wait_for(self._event_arrived.wait(), timeout=5)
                except asyncio.TimeoutError:
                    pass  # look at the table again
            if self._socket.closed:
                raise ConnectionError("the connection closed during the game")

    async def move(self, room, view):
        action, card, declared = choose_move(view["hand"] or [], view["topCard"], view["suit"])
        move_id = "%s-%d" % (self.player_id, view["seq"])
        try:
            if action == "put":
                await self.request("put", room=room, card=card, suit=declared, moveId=move_id)
            else:
                await self.request("take", room=room, moveId=move_id)
        except ServerError as error:
            if error.code not in ("not_your_turn", "game_not_started"):  # the turn timer moved for us meanwhile
                raise


def verify_fair_shuffle(seats, game_events, viewer):
    """(True, None) when the dealt and drawn cards follow from the seed `finished` revealed, else (False, why)."""
    return fair_shuffle.verify(seats, game_events, viewer)


async def run_bot(bot, room_ready, seats, room_arg, first):
    """One bot's game. Alone it quick-plays (or, on a server without quick play, opens a room and waits); bots of one
    process sit together: the first opens a room, the others join it."""
    await bot.connect()
    if room_arg:
        room = room_arg
        await bot.join(room)
    elif room_ready is None:
        room = await bot.quick_play(seats)
        if room is None:
            room = await bot.create_room(seats)
            bot.log("%s created room %s and waits for %d players" % (bot.name, room, seats))
    elif first:
        room = await bot.create_room(seats)
        room_ready.set_result(room)
    else:
        room = await room_ready
        await bot.join(room)
    bot.log("%s sits at room %s" % (bot.name, room))
    events = await bot.play_game(room, seats)
    winner = events[-1].get("winner")
    ok, problem = verify_fair_shuffle(bot.seats.get(room, []), events, bot.player_id)
    bot.log("%s: game finished in room %s after %d events; winner %s%s; fair shuffle %s" % (
        bot.name, room, len(events), winner, " (me)" if winner == bot.player_id else "",
        "verified" if ok else "NOT verified: " + problem))
    await bot.close()
    return ok


async def main_async(args):
    def log(line):
        print(line, flush=True)

    room_ready = asyncio.get_running_loop().create_future() if args.players > 1 else None
    seats = args.seats or max(args.players, 2)
    bots = [Bot(args.url, "%s%d" % (args.name, i + 1) if args.players > 1 else args.name, log) for i in range(args.players)]
    results = await asyncio.wait_for(
        asyncio.gather(*(run_bot(bot, room_ready, seats, args.room, i == 0) for i, bot in enumerate(bots))),
        timeout=args.timeout)
    return 0 if all(results) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description="Plays CardGame over /ws until a game ends.")
    parser.add_argument("--url", default="http://127.0.0.1:5101", help="the edge's base URL")
    parser.add_argument("--name", default="pybot", help="display name (numbered with --players)")
    parser.add_argument("--players", type=int, default=1, help="bots in this process, playing at the same table")
    parser.add_argument("--seats", type=int, default=None, help="seats of the room (default: --players, at least 2)")
    parser.add_argument("--room", default=None, help="join this room instead of quick play")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before giving up")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(main_async(args))
    except (ServerError, ConnectionError, OSError, asyncio.TimeoutError) as error:
        print("failed: %s" % (error,), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
