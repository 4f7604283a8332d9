#!/usr/bin/env python3
"""Maelstrom g-counter node with a deliberate bug (otherwise like g_counter.py).

BUG: in gossip, the sender's own entry is merged by ADDING it to the local
copy instead of taking the max, so every gossip round (every 0.3 s) counts the
sender's adds once more and reads grow past the sum of all adds.
schism should report the anomaly "out-of-bounds".
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
    for n, c in msg["body"]["counts"].items():
        if n == msg["src"]:
            counts[n] = counts.get(n, 0) + c  # the bug: should be max
        elif n != node.node_id:
            counts[n] = max(counts.get(n, 0), c)
    node.save_state(counts)


def spread():
    for peer in node.peers():
        node.send(peer, {"type": "gossip", "counts": counts})


node.every(0.3, spread)
node.run()
