#!/usr/bin/env python3
"""Maelstrom lock node (correct): one primary holds every lock.

acquire(key) succeeds when the lock is free (or already held by the same
client) and fails with error 22 when another client holds it; release(key)
succeeds only for the holder, else error 22. The holder is the client id in the
request's `src`.

All lock state lives at the primary, the first node of node_ids (saved durably
before the answer, see node.py). Any other node forwards the request to the
primary as an RPC, adding {"client": <the client's src>} to the body so the
primary knows who asks, and relays the answer back to the client. A forward
not answered within 1 s gets error 0 (timeout), which is indefinite: the lock
may have been granted or released. It is never retried.
"""

import json

from node import Node, PRECONDITION_FAILED, TIMEOUT

node = Node()
locks = {}  # json.dumps(key) -> client holding it, only used on the primary


def primary():
    return node.node_ids[0]


@node.on("init")
def init(msg):
    if node.node_id == primary():
        locks.update(node.load_state({}))


def apply(body, client):
    key = json.dumps(body["key"])
    holder = locks.get(key)
    if body["type"] == "acquire":
        if holder is not None and holder != client:
            return {"type": "error", "code": PRECONDITION_FAILED, "text": f"held by {holder}"}
        locks[key] = client
        node.save_state(locks)
        return {"type": "acquire_ok"}
    # release
    if holder != client:
        return {"type": "error", "code": PRECONDITION_FAILED, "text": f"not held by {client}"}
    del locks[key]
    node.save_state(locks)
    return {"type": "release_ok"}


def request(msg):
    body = msg["body"]
    if node.node_id == primary():
        # A forwarded request names its client; a client's own request is from src.
        client = body["client"] if msg["src"] in node.node_ids else msg["src"]
        node.reply(msg, apply(body, client))
        return

    def answered(reply):
        if reply is None:
            node.error(msg, TIMEOUT, "the primary did not answer; the op may have happened")
        else:
            answer = {k: v for k, v in reply["body"].items() if k not in ("msg_id", "in_reply_to")}
            node.reply(msg, answer)

    forward = {k: v for k, v in body.items() if k != "msg_id"}
    forward["client"] = msg["src"]
    node.rpc(primary(), forward, answered, timeout=1.0)


node.on("acquire")(request)
node.on("release")(request)
node.run()
