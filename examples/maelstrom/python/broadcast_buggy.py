#!/usr/bin/env python3
"""Maelstrom broadcast node with a deliberate bug.

BUG: a message from a client is sent to this node's neighbours once (fire and
forget, no retry), and a message that arrives from another node is stored but
never relayed further. On the tree n1-{n2,n3}, a message given to n2 reaches
n1 but never n3 (and one sent during a partition reaches no one).
It also keeps nothing on disk. schism should report the anomaly "lost".
"""

from node import Node

node = Node()
messages = set()
neighbours = []


@node.on("init")
def init(msg):
    global neighbours
    neighbours = node.peers()


@node.on("topology")
def topology(msg):
    global neighbours
    neighbours = msg["body"]["topology"].get(node.node_id, [])
    node.reply(msg, {"type": "topology_ok"})


@node.on("broadcast")
def broadcast(msg):
    m = msg["body"]["message"]
    if m not in messages:
        messages.add(m)
        for nb in neighbours:
            node.send(nb, {"type": "relay", "messages": [m]})  # once, no retry
    node.reply(msg, {"type": "broadcast_ok"})


@node.on("relay")
def relay(msg):
    messages.update(msg["body"]["messages"])  # the bug: never passed on


@node.on("read")
def read(msg):
    node.reply(msg, {"type": "read_ok", "messages": list(messages)})


node.run()
