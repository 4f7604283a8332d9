#!/usr/bin/env python3
"""Maelstrom lin-kv node with a deliberate bug (otherwise like lin_kv.py).

Writes and cas go to the primary (the first node) as in lin_kv.py.
BUG: a non-primary node serves reads from its own cache, which the primary
updates lazily and asynchronously: every 0.5 s it sends the keys changed since
its last push ({"type":"cache","entries":{...}}, fire and forget, so a push
lost to a partition is never resent). A read at a non-primary may return a
value that was overwritten long ago, or "key does not exist" for a key written
already: stale reads.
schism should report that the history is not linearizable.
"""

import json

from node import Node, KEY_DOES_NOT_EXIST, PRECONDITION_FAILED, TIMEOUT

node = Node()
kv = {}        # json.dumps(key) -> value: the primary's map, or a non-primary's cache
dirty = set()  # on the primary: keys changed since the last push


def primary():
    return node.node_ids[0]


@node.on("init")
def init(msg):
    if node.node_id == primary():
        kv.update(node.load_state({}))


def apply(body):
    key = json.dumps(body["key"])
    if body["type"] == "read":
        if key not in kv:
            return {"type": "error", "code": KEY_DOES_NOT_EXIST, "text": "no such key"}
        return {"type": "read_ok", "value": kv[key]}
    if body["type"] == "write":
        kv[key] = body["value"]
        dirty.add(key)
        node.save_state(kv)
        return {"type": "write_ok"}
    if key not in kv:
        return {"type": "error", "code": KEY_DOES_NOT_EXIST, "text": "no such key"}
    if kv[key] != body["from"]:
        return {"type": "error", "code": PRECONDITION_FAILED,
                "text": f"expected {body['from']}, found {kv[key]}"}
    kv[key] = body["to"]
    dirty.add(key)
    node.save_state(kv)
    return {"type": "cas_ok"}


def request(msg):
    if node.node_id == primary() or msg["body"]["type"] == "read":  # the bug
        node.reply(msg, apply(msg["body"]))
        return

    def answered(reply):
        if reply is None:
            node.error(msg, TIMEOUT, "the primary did not answer; the op may have happened")
        else:
            body = {k: v for k, v in reply["body"].items() if k not in ("msg_id", "in_reply_to")}
            node.reply(msg, body)

    forward = {k: v for k, v in msg["body"].items() if k != "msg_id"}
    node.rpc(primary(), forward, answered, timeout=1.0)


for op in ("read", "write", "cas"):
    node.on(op)(request)


@node.on("cache")
def cache(msg):
    kv.update(msg["body"]["entries"])


def push():
    if node.node_id == primary() and dirty:
        entries = {key: kv[key] for key in dirty}
        dirty.clear()
        for peer in node.peers():
            node.send(peer, {"type": "cache", "entries": entries})


node.every(0.5, push)
node.run()
