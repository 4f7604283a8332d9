#!/usr/bin/env python3
"""Maelstrom g-set node (correct): a grow-only set, replicated by state-based gossip.

add stores the element locally (and durably, see node.py) before add_ok;
read answers with the local set. Every 0.5 s the node sends its whole set to
every peer ({"type":"gossip","value":[...]}, no reply expected) and merges by
union what it receives. Gossip lost to a partition is simply sent again next
round, so all nodes converge once the network heals.
"""

from node import Node

node = Node()
elements = set()


@node.on("init")
def init(msg):
    elements.update(node.load_state([]))


@node.on("add")
def add(msg):
    element = msg["body"]["element"]
    if element not in elements:
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
