#!/usr/bin/env python3
"""A schism "exec" client adapter for examples/http-kv/kv_server.py.

schism runs one copy per client worker, as `kv_client.py --url http://IP:8080`,
writes one op per line on stdin and reads one completion per line on stdout:

    {"f":"read","key":3,"value":null}    -> {"type":"ok","value":V}   (null when 404)
    {"f":"write","key":3,"value":4}      -> {"type":"ok","value":4}
    {"f":"cas","key":3,"value":[1,2]}    -> {"type":"ok","value":[1,2]}, or
                                            {"type":"fail","error":"compare-failed"} (412, 404)

The three outcomes are how schism tells what happened:
  ok    it happened;
  fail  it surely did NOT happen: a compare that did not match, a 4xx, or a
        connection refused (the request never reached a server);
  info  we cannot know: a timeout, a reset connection, any 5xx (the server may
        have applied the write before the answer was lost).
Getting this split right matters more than anything else in an adapter: calling
an uncertain op "fail" makes schism report anomalies that are not there.
"""

import argparse
import errno
import http.client
import json
import sys
import urllib.error
import urllib.request
from urllib.parse import quote

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--url", required=True, help="the server, e.g. http://10.0.0.2:8080")
p.add_argument("--timeout", type=float, default=1.5, help="seconds per request")
args = p.parse_args()
BASE = args.url.rstrip("/")

# Errors raised while connecting, before any byte of the request was sent.
NEVER_SENT = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH}


def request(method, path, body=None):
    """(status, parsed JSON body, or {} for an error answer). Raises on network errors."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=args.timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:  # a 4xx or 5xx answer
        try:
            return e.code, json.loads(e.read())
        except ValueError:
            return e.code, {}


def perform(op):
    f, key, value = op.get("f"), quote(str(op.get("key")), safe=""), op.get("value")
    if f == "read":
        status, body = request("GET", f"/kv/{key}")
        if status == 200:
            return {"type": "ok", "value": body["value"]}
        if status == 404:
            return {"type": "ok", "value": None}
    elif f == "write":
        status, body = request("PUT", f"/kv/{key}", {"value": value})
        if status == 200:
            return {"type": "ok", "value": value}
    elif f == "cas":
        status, body = request("POST", f"/cas/{key}", {"from": value[0], "to": value[1]})
        if status == 200:
            return {"type": "ok", "value": value}
        if status in (404, 412):
            return {"type": "fail", "error": "compare-failed"}
    else:
        return {"type": "fail", "error": f"unknown f {f!r}"}
    error = f"http {status}: {body.get('error') if isinstance(body, dict) else body}"
    return {"type": "info" if status >= 500 else "fail", "error": error}


def complete(line):
    try:
        op = json.loads(line)
    except ValueError:
        return {"type": "fail", "error": "the op line is not JSON"}
    try:
        return perform(op)
    except urllib.error.URLError as e:
        if getattr(e.reason, "errno", None) in NEVER_SENT:
            return {"type": "fail", "error": f"{e.reason}"}
        return {"type": "info", "error": f"{e.reason}"}
    except (OSError, http.client.HTTPException) as e:  # timeout, reset, garbled answer
        return {"type": "info", "error": f"{type(e).__name__}: {e}"}
    except Exception as e:  # e.g. an answer that is not JSON: we do not know
        return {"type": "info", "error": f"{type(e).__name__}: {e}"}


for line in sys.stdin:
    if line.strip():
        print(json.dumps(complete(line)), flush=True)
