#!/usr/bin/env python3
"""Maelstrom unique-ids node with a deliberate bug.

BUG: ids come from a bare per-node counter (1, 2, 3, ...) without the node id,
so every node hands out the same ids (and a restarted node repeats its own).
schism should report the anomaly "duplicate-id".
"""

from node import Node

node = Node()
counter = 0


@node.on("generate")
def generate(msg):
    global counter
    counter += 1
    node.reply(msg, {"type": "generate_ok", "id": counter})


node.run()
