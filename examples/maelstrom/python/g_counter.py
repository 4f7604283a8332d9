#!/usr/bin/env python3
"""Maelstrom g-counter node (correct): a grow-only counter CRDT.

`counts` maps each node id to the total added at that node; only the node
itself increments its own entry (durably, see node.py, before add_ok). read
answers the sum of the entries. Every 0.3 s the node sends its whole map to
every peer ({"type":"gossip","counts":{...}}, no reply expected), and merges
what it receives entry by entry with max, which is idempotent: receiving the
same gossip twice, or old gossip late, changes nothing. All nodes converge to
the exact sum once the network heals.
"""

from node import Node

node = Node()
counts = {}  # node id -> total added at that node


@node.on("init")
def init(msg):
    counts.update(node.load_state({}))


@node.on("add")
def add(msg):
    me = node.node_id
    counts[me] = counts.get(me, 0) + msg["body"]["delta"]
    node.save_state(counts)
    node.reply(msg, {"type": "add_ok"})


@node.on("read")
def read(msg):
    node.reply(msg, {"type": "read_ok", "value": sum(counts.values())})


@node.on("gossip")
def gossip(msg):
    changed = False
    for n, c in msg["body"]["counts"].items():
        if c > counts.get(n, 0):
            counts[n] = c
            changed = True
    if changed:
        node.save_state(counts)


def spread():
    for peer in node.peers():
        node.send(peer, {"type": "gossip", "counts": counts})


node.every(0.3, spread)
node.run()
