#!/usr/bin/env python3
"""Maelstrom lin-kv node (correct, linearizable): one primary holds the map.

The primary is the first node of node_ids. It applies read, write and cas to
its map (saved durably before the answer, see node.py) one at a time, so the
map is linearizable. Any other node forwards the client's request body
unchanged to the primary as an RPC, and relays the primary's answer back to the
client, with the client's msg_id as in_reply_to.

A forward not answered within 1 s (a partition, a dead primary) is answered
with error 0 (timeout), which is indefinite: the primary may have applied it.
It must never be a definite error (11) or an ok, since we do not know. The
forward is not retried, so an op is applied at most once.

Errors: 20 key-does-not-exist for a read or cas of a missing key, 22
precondition-failed for a cas whose `from` is not the current value.
"""

import json

from node import Node, KEY_DOES_NOT_EXIST, PRECONDITION_FAILED, TIMEOUT

node = Node()
kv = {}  # json.dumps(key) -> value, only used on the primary


def primary():
    return node.node_ids[0]


@node.on("init")
def init(msg):
    if node.node_id == primary():
        kv.update(node.load_state({}))


def apply(body):
    """The primary's state machine: a request body in, a reply body out."""
    key = json.dumps(body["key"])
    if body["type"] == "read":
        if key not in kv:
            return {"type": "error", "code": KEY_DOES_NOT_EXIST, "text": "no such key"}
        return {"type": "read_ok", "value": kv[key]}
    if body["type"] == "write":
        kv[key] = body["value"]
        node.save_state(kv)
        return {"type": "write_ok"}
    # cas
    if key not in kv:
        return {"type": "error", "code": KEY_DOES_NOT_EXIST, "text": "no such key"}
    if kv[key] != body["from"]:
        return {"type": "error", "code": PRECONDITION_FAILED,
                "text": f"expected {body['from']}, found {kv[key]}"}
    kv[key] = body["to"]
    node.save_state(kv)
    return {"type": "cas_ok"}


def request(msg):
    if node.node_id == primary():
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

node.run()
