#!/usr/bin/env python3
"""Maelstrom lock node with a deliberate bug.

Same answers as lock.py (acquire_ok / release_ok, error 22), but
BUG: each node grants locks from its own local table, with no coordination,
so two clients talking to two different nodes can both acquire the same key.
schism should report the anomaly "two-holders".
"""

import json

from node import Node, PRECONDITION_FAILED

node = Node()
locks = {}  # json.dumps(key) -> client holding it, on THIS node only (the bug)


@node.on("acquire")
def acquire(msg):
    key, client = json.dumps(msg["body"]["key"]), msg["src"]
    holder = locks.get(key)
    if holder is not None and holder != client:
        node.error(msg, PRECONDITION_FAILED, f"held by {holder}")
        return
    locks[key] = client
    node.reply(msg, {"type": "acquire_ok"})


@node.on("release")
def release(msg):
    key, client = json.dumps(msg["body"]["key"]), msg["src"]
    if locks.get(key) != client:
        node.error(msg, PRECONDITION_FAILED, f"not held by {client}")
        return
    del locks[key]
    node.reply(msg, {"type": "release_ok"})


node.run()
