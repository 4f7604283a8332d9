#!/usr/bin/env python3
"""A tiny Maelstrom node library, shared by the example nodes beside it.

A node reads one JSON envelope per line on stdin and writes envelopes on stdout;
logs go to stderr. Everything a node does (message handlers, RPC callbacks,
periodic tasks) runs on ONE thread, the loop in `Node.run`, so the state of an
example node needs no locks. A second thread only reads stdin into a queue.

    from node import Node
    node = Node()

    @node.on("echo")
    def echo(msg):
        node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})

    node.run()

What it offers:
  node.on(type)                  decorator: handle messages of that type; an
                                 "init" handler runs after node_id/node_ids are
                                 set, before init_ok is sent
  node.reply(msg, body)          answer a request (sets in_reply_to)
  node.error(msg, code, text)    answer with a Maelstrom error
  node.send(dest, body)          fire and forget
  node.rpc(dest, body, cb, t)    send; cb(reply_msg) on reply, cb(None) after t s
  node.every(seconds, fn)        run fn periodically, from init on
  node.after(seconds, fn)        run fn once, later
  node.load_state(default)       durable state across kill/restart, see below
  node.save_state(obj)

Persistence: state is a JSON file `<script>-<node id>.json` in $STATE_DIR, or in
/data when that is a writable directory (schism's node containers have one that
survives a restart). With neither, state lives in memory only and a restarted
node starts empty.
"""

import heapq
import itertools
import json
import os
import queue
import sys
import threading
import time
import traceback

# Maelstrom's error codes used by the examples.
TIMEOUT = 0                   # indefinite: the op may or may not have happened
NOT_SUPPORTED = 10
TEMPORARILY_UNAVAILABLE = 11  # definite: the op did not happen
CRASH = 13                    # indefinite
KEY_DOES_NOT_EXIST = 20
PRECONDITION_FAILED = 22


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Node:
    def __init__(self):
        self.node_id = None
        self.node_ids = []
        self._handlers = {}
        self._callbacks = {}      # msg_id -> callback, for rpc replies
        self._timers = []         # heap of (deadline, seq, fn)
        self._periodic = []       # (interval, fn), started at init
        self._seq = itertools.count()
        self._msg_ids = itertools.count(1)
        self._out = threading.Lock()
        self._inbox = queue.Queue()

    # ---- registering behaviour -------------------------------------------
    def on(self, msg_type):
        def register(fn):
            self._handlers[msg_type] = fn
            return fn
        return register

    def every(self, seconds, fn):
        self._periodic.append((seconds, fn))

    def after(self, seconds, fn):
        heapq.heappush(self._timers, (time.monotonic() + seconds, next(self._seq), fn))

    def peers(self):
        return [n for n in self.node_ids if n != self.node_id]

    # ---- sending -----------------------------------------------------------
    def send(self, dest, body):
        body = dict(body)
        body.setdefault("msg_id", next(self._msg_ids))
        line = json.dumps({"src": self.node_id, "dest": dest, "body": body})
        with self._out:  # one whole line at a time, even if a user adds threads
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        return body["msg_id"]

    def reply(self, msg, body):
        body = dict(body)
        body["in_reply_to"] = msg["body"].get("msg_id")
        self.send(msg["src"], body)

    def error(self, msg, code, text):
        self.reply(msg, {"type": "error", "code": code, "text": text})

    def rpc(self, dest, body, callback, timeout=1.0):
        """Send body; later call callback(reply) or, after timeout s, callback(None).
        A reply that comes after the timeout is dropped."""
        msg_id = self.send(dest, body)
        self._callbacks[msg_id] = callback

        def expire():
            cb = self._callbacks.pop(msg_id, None)
            if cb:
                cb(None)
        self.after(timeout, expire)

    # ---- persistence -------------------------------------------------------
    def _state_path(self):
        d = os.environ.get("STATE_DIR")
        if not d and os.path.isdir("/data") and os.access("/data", os.W_OK):
            d = "/data"
        if not d:
            return None
        script = os.path.splitext(os.path.basename(sys.argv[0]))[0]
        return os.path.join(d, f"{script}-{self.node_id}.json")

    def load_state(self, default):
        path = self._state_path()
        if path and os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        return default

    def save_state(self, obj):
        """Write obj atomically (a killed process leaves the old or the new file)."""
        path = self._state_path()
        if path:
            with open(path + ".tmp", "w") as f:
                json.dump(obj, f)
            os.replace(path + ".tmp", path)

    # ---- the loop ----------------------------------------------------------
    def _read_stdin(self):
        for line in sys.stdin:
            self._inbox.put(line)
        self._inbox.put(None)  # EOF

    def _handle(self, msg):
        body = msg["body"]
        if "in_reply_to" in body:
            cb = self._callbacks.pop(body["in_reply_to"], None)
            if cb:  # else a late or unexpected reply: drop it
                cb(msg)
            return
        if body["type"] == "init":
            self.node_id = body["node_id"]
            self.node_ids = body["node_ids"]
            if "init" in self._handlers:
                self._handlers["init"](msg)
            for interval, fn in self._periodic:
                self._start_periodic(interval, fn)
            self.reply(msg, {"type": "init_ok"})
            log(f"{self.node_id} initialised, cluster {self.node_ids}")
            return
        handler = self._handlers.get(body["type"])
        if handler is None:
            self.error(msg, NOT_SUPPORTED, f"unknown type {body['type']}")
        else:
            handler(msg)

    def _start_periodic(self, interval, fn):
        def tick():
            try:
                fn()
            finally:
                self.after(interval, tick)
        self.after(interval, tick)

    def run(self):
        threading.Thread(target=self._read_stdin, daemon=True).start()
        while True:
            now = time.monotonic()
            while self._timers and self._timers[0][0] <= now:
                _, _, fn = heapq.heappop(self._timers)
                try:
                    fn()
                except Exception:
                    log(traceback.format_exc())
            wait = self._timers[0][0] - now if self._timers else None
            try:
                line = self._inbox.get(timeout=wait)
            except queue.Empty:
                continue
            if line is None:
                return
            if not line.strip():
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                log(f"not JSON, ignored: {line!r}")
                continue
            try:
                self._handle(msg)
            except Exception:
                log(traceback.format_exc())
                if "msg_id" in msg["body"] and "in_reply_to" not in msg["body"]:
                    self.error(msg, CRASH, "the node failed handling this request")
