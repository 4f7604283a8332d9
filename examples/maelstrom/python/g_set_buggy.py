#!/usr/bin/env python3
"""Maelstrom g-set node with a deliberate bug (otherwise like g_set.py).

BUG: every 7th add this node receives is acknowledged with add_ok but the
element is never stored, so no node ever has it.
schism should report the anomaly "lost".
"""

from node import Node

node = Node()
elements = set()
adds = 0


@node.on("init")
def init(msg):
    elements.update(node.load_state([]))


@node.on("add")
def add(msg):
    global adds
    adds += 1
    element = msg["body"]["element"]
    if adds % 7 != 0 and element not in elements:  # the bug: skip every 7th
        elements.add(element)
        node.save_state(list(elements))
    node.reply(msg, {"type": "add_ok"})


@node.on("read")
def read(msg):
    node.reply(msg, {"type": "read_ok", "value": list(elements)})


@node.on("gossip")
def gossip(msg):
    new = set(msg["body"]["value"]) - elements
    if new:
        elements.update(new)
        node.save_state(list(elements))


def spread():
    for peer in node.peers():
        node.send(peer, {"type": "gossip", "value": list(elements)})


node.every(0.5, spread)
node.run()
