#!/usr/bin/env python3
"""Maelstrom pn-counter node with a deliberate bug (otherwise like pn_counter.py).

BUG: add ignores the sign of delta: a negative delta is added to `p` as
abs(delta), so the counter only ever goes up and reads exceed every value the
adds could have produced.
schism should report the anomaly "out-of-bounds".
"""

from node import Node

node = Node()
state = {"p": {}, "n": {}}


@node.on("init")
def init(msg):
    state.update(node.load_state(state))


@node.on("add")
def add(msg):
    delta = msg["body"]["delta"]
    side = state["p"]  # the bug: should be state["n"] when delta < 0
    side[node.node_id] = side.get(node.node_id, 0) + abs(delta)
    node.save_state(state)
    node.reply(msg, {"type": "add_ok"})


@node.on("read")
def read(msg):
    value = sum(state["p"].values()) - sum(state["n"].values())
    node.reply(msg, {"type": "read_ok", "value": value})


@node.on("gossip")
def gossip(msg):
    changed = False
    for side in ("p", "n"):
        for n, c in msg["body"][side].items():
            if c > state[side].get(n, 0):
                state[side][n] = c
                changed = True
    if changed:
        node.save_state(state)


def spread():
    for peer in node.peers():
        node.send(peer, {"type": "gossip", "p": state["p"], "n": state["n"]})


node.every(0.3, spread)
node.run()
