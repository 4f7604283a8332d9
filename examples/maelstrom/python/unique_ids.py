#!/usr/bin/env python3
"""Maelstrom unique-ids node (correct).

An id is "<node id>-<boot>-<counter>": the node id keeps nodes apart, the
counter keeps one node's ids apart, and <boot> (the time this process started,
in ns) keeps ids apart across a kill and restart, when the counter starts again
at 0. No coordination, no persistence needed.
"""

import time

from node import Node

node = Node()
boot = time.time_ns()
counter = 0


@node.on("generate")
def generate(msg):
    global counter
    counter += 1
    node.reply(msg, {"type": "generate_ok", "id": f"{node.node_id}-{boot}-{counter}"})


node.run()
