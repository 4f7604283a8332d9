#!/usr/bin/env python3
"""Maelstrom broadcast node (correct): relays along the topology, retrying until acked.

Each node keeps `messages` (all it has seen) and, per neighbour, `known`: what
that neighbour surely has (it acknowledged it, or sent it to us). Every 0.2 s
it sends each neighbour what the neighbour may lack, as
{"type":"relay","messages":[...]}, answered by {"type":"relay_ok"}; only the
ack adds to `known`, so anything lost to a partition is sent again until it
gets through. Messages therefore flow hop by hop along the spanning tree, and
every node ends with every message once the network heals.

Until a topology arrives, the neighbours are all other nodes. Messages and
neighbours are saved (node.py) so a restarted node keeps them; `known` is not,
so a restarted node resends everything once (relay is idempotent).
"""

from node import Node

node = Node()
messages = set()
neighbours = []
known = {}  # neighbour -> set of messages it surely has


def save():
    node.save_state({"messages": list(messages), "neighbours": neighbours})


@node.on("init")
def init(msg):
    global neighbours
    state = node.load_state({"messages": [], "neighbours": node.peers()})
    messages.update(state["messages"])
    neighbours = state["neighbours"]


@node.on("topology")
def topology(msg):
    global neighbours
    neighbours = msg["body"]["topology"].get(node.node_id, [])
    save()
    node.reply(msg, {"type": "topology_ok"})


@node.on("broadcast")
def broadcast(msg):
    m = msg["body"]["message"]
    if m not in messages:
        messages.add(m)
        save()
    node.reply(msg, {"type": "broadcast_ok"})


@node.on("read")
def read(msg):
    node.reply(msg, {"type": "read_ok", "messages": list(messages)})


@node.on("relay")
def relay(msg):
    received = msg["body"]["messages"]
    known.setdefault(msg["src"], set()).update(received)  # no need to send them back
    if not messages.issuperset(received):
        messages.update(received)
        save()
    node.reply(msg, {"type": "relay_ok"})


def push():
    for nb in neighbours:
        missing = messages - known.setdefault(nb, set())
        if missing:
            batch = list(missing)

            def acked(reply, nb=nb, batch=batch):
                if reply is not None and reply["body"]["type"] == "relay_ok":
                    known[nb].update(batch)
            node.rpc(nb, {"type": "relay", "messages": batch}, acked, timeout=1.0)


node.every(0.2, push)
node.run()
