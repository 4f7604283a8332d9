#!/usr/bin/env python3
"""A replicated key-value HTTP server to test with schism (correct by default).

    kv_server.py --id n1 --port 8080 --cluster n1=10.0.0.2,n2=10.0.0.3,n3=10.0.0.4
                 [--bug stale-reads] [--data DIR] [--bind ADDR]

A --cluster entry may carry its own port (n1=127.0.0.1:8081), else --port is used.
The first node of --cluster is the primary and holds the map; it serves every
request itself, one at a time, so the store is linearizable. Any other node
forwards each request unchanged to the primary (timeout 1 s) and relays the
answer. When the primary cannot be reached or does not answer in time, the
answer is 503: schism takes 5xx as indefinite, which is right, since a forwarded
write may have been applied before the answer was lost.

REST:
    GET  /kv/<key>                   200 {"value": V}, or 404
    PUT  /kv/<key>   {"value": V}    200
    POST /cas/<key>  {"from": A, "to": B}
                                     200, 412 when the value is not A, 404 when missing
    GET  /health                     200

The primary saves the map (a JSON file) before answering a write, in --data, or
in /data when that is a writable directory; with neither it is memory only.

BUG (--bug stale-reads): non-primaries answer GETs from a local copy of the
map that the primary pushes to them lazily, every 2 s, fire and forget
(PUT /_replica). A read at a non-primary can miss writes acknowledged up to 2 s
earlier (or forever, if pushes are lost to a partition): stale reads, and
schism should report that the history is not linearizable.
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import unquote
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--id", required=True)
p.add_argument("--port", type=int, default=8080)
p.add_argument("--cluster", required=True, help="n1=IP[:PORT],n2=...; the first is the primary")
p.add_argument("--bug", choices=["stale-reads"])
p.add_argument("--data", help="directory for the primary's map (default /data if writable)")
p.add_argument("--bind", default="0.0.0.0")
args = p.parse_args()

cluster = {}  # name -> (host, port), in order
for entry in args.cluster.split(","):
    name, addr = entry.split("=")
    host, _, port = addr.partition(":")
    cluster[name] = (host, int(port or args.port))
PRIMARY = next(iter(cluster))
IS_PRIMARY = args.id == PRIMARY

kv = {}  # the primary's map; a non-primary's copy with --bug stale-reads
kv_lock = threading.Lock()
data_dir = args.data or ("/data" if os.path.isdir("/data") and os.access("/data", os.W_OK) else None)
state_file = os.path.join(data_dir, f"kv-{args.id}.json") if data_dir else None


def log(*a):
    print(args.id, *a, file=sys.stderr, flush=True)


def save():
    """Called with kv_lock held: write the map atomically before answering."""
    if state_file:
        with open(state_file + ".tmp", "w") as f:
            json.dump(kv, f)
        os.replace(state_file + ".tmp", state_file)


def call(node, method, path, body, timeout=1.0):
    """An HTTP request to another node: (status, body bytes); 503 when unreachable."""
    host, port = cluster[node]
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=body, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:  # 4xx/5xx from the other node: pass it on
        return e.code, e.read()
    except OSError as e:  # refused, timed out, reset: we do not know what happened
        return 503, json.dumps({"error": f"{node} unreachable: {e}"}).encode()


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, obj):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *a):
        log(fmt % a)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def route(self):
        raw = self.body()
        if self.command == "GET" and self.path == "/health":
            return self.answer(200, {"ok": True, "id": args.id, "primary": PRIMARY})
        if self.command == "PUT" and self.path == "/_replica" and args.bug and not IS_PRIMARY:
            with kv_lock:
                kv.clear()
                kv.update(json.loads(raw)["kv"])
            return self.answer(200, {"ok": True})
        parts = self.path.split("/", 2)
        kind, key = (parts[1], unquote(parts[2])) if len(parts) == 3 else ("", "")
        needs = {("GET", "kv"): [], ("PUT", "kv"): ["value"], ("POST", "cas"): ["from", "to"]}
        if (self.command, kind) not in needs or not key:
            return self.answer(404, {"error": f"no route {self.command} {self.path}"})
        stale_read = args.bug == "stale-reads" and self.command == "GET"
        if not IS_PRIMARY and not stale_read:
            return self.answer(*call(PRIMARY, self.command, self.path, raw or None))
        fields = needs[(self.command, kind)]
        try:
            req = json.loads(raw) if raw else {}
        except ValueError:
            req = None
        if not isinstance(req, dict) or any(f not in req for f in fields):
            return self.answer(400, {"error": f"the body must be a JSON object with {fields}"})
        with kv_lock:  # one request at a time: linearizable
            if self.command == "GET":
                if key not in kv:
                    return self.answer(404, {"error": "no such key"})
                return self.answer(200, {"value": kv[key]})
            if self.command == "PUT":
                kv[key] = req["value"]
                save()
                return self.answer(200, {"ok": True})
            if key not in kv:
                return self.answer(404, {"error": "no such key"})
            if kv[key] != req["from"]:
                return self.answer(412, {"error": f"expected {req['from']}, found {kv[key]}"})
            kv[key] = req["to"]
            save()
            return self.answer(200, {"ok": True})

    do_GET = do_PUT = do_POST = route


def push_copies():
    """--bug stale-reads: the primary sends its map to the others every 2 s."""
    while True:
        time.sleep(2)
        with kv_lock:
            data = json.dumps({"kv": kv}).encode()
        for node in cluster:
            if node != args.id:
                call(node, "PUT", "/_replica", data)  # result ignored: fire and forget


if IS_PRIMARY and state_file and os.path.exists(state_file):
    with open(state_file) as f:
        kv.update(json.load(f))
if IS_PRIMARY and args.bug == "stale-reads":
    threading.Thread(target=push_copies, daemon=True).start()
log(f"listening on {args.bind}:{args.port}, primary {PRIMARY}, bug {args.bug}, data {state_file}")
ThreadingHTTPServer((args.bind, args.port), Handler).serve_forever()
