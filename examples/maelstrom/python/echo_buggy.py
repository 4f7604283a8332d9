#!/usr/bin/env python3
"""Maelstrom echo node with a deliberate bug.

BUG: every 5th echo request this node receives is answered with a different
value (the text of X with "?" appended) instead of X.
schism should report the anomaly "wrong-echo".
"""

from node import Node

node = Node()
count = 0


@node.on("echo")
def echo(msg):
    global count
    count += 1
    value = msg["body"]["echo"]
    if count % 5 == 0:
        value = f"{value}?"  # the bug
    node.reply(msg, {"type": "echo_ok", "echo": value})


node.run()
