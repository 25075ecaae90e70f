#!/usr/bin/env python3
"""Maelstrom kafka: a log per key. The first node keeps every log and the committed offsets, and
the other nodes forward each request to it, so offsets are dense, never reused and polls see
every acknowledged message (a node cut off from the first one answers error 0: indeterminate).

With the argument `local` every node keeps its own logs instead: offsets are reused across nodes
and a poll misses what other nodes were sent, which the kafka checker reports."""
import sys
import threading

from node import Node

node = Node()
local = "local" in sys.argv[1:]
logs = {}       # key -> [msg, ...]; a message's offset is its position
committed = {}  # key -> highest committed offset
lock = threading.Lock()


def apply(body):
    with lock:
        t = body["type"]
        if t == "send":
            log = logs.setdefault(body["key"], [])
            log.append(body["msg"])
            return {"type": "send_ok", "offset": len(log) - 1}
        if t == "poll":
            msgs = {}
            for key, start in body["offsets"].items():
                log = logs.get(key, [])
                msgs[key] = [[o, log[o]] for o in range(max(start, 0), len(log))]
            return {"type": "poll_ok", "msgs": msgs}
        if t == "commit_offsets":
            for key, offset in body["offsets"].items():
                committed[key] = max(committed.get(key, offset), offset)
            return {"type": "commit_offsets_ok"}
        offsets = {k: committed[k] for k in body["keys"] if k in committed}
        return {"type": "list_committed_offsets_ok", "offsets": offsets}


def handle(msg):
    leader = sorted(node.node_ids)[0]
    body = {k: v for k, v in msg["body"].items() if k != "msg_id"}
    if local or node.node_id == leader:
        reply = apply(body)
    else:
        reply = node.rpc(leader, body, timeout=1.5)
        reply = {k: v for k, v in reply.items() if k not in ("msg_id", "in_reply_to")}
    node.reply(msg, reply)


for t in ("send", "poll", "commit_offsets", "list_committed_offsets"):
    node.handler(t, spawn=True)(handle)

node.run()
