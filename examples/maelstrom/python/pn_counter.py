#!/usr/bin/env python3
"""Maelstrom pn-counter node (correct): a counter CRDT that also goes down.

Two grow-only maps: `p[n]`, the total of node n's positive deltas, and `n[n]`,
the total of the (absolute values of its) negative ones. Only a node changes its
own entries (durably, see node.py, before add_ok); read answers
sum(p) - sum(n). Every 0.3 s both maps are gossiped to every peer
({"type":"gossip","p":{...},"n":{...}}, no reply expected) and merged entry by
entry with max, so all nodes converge to the exact sum once the network heals.
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
    side = state["p"] if delta >= 0 else state["n"]
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
