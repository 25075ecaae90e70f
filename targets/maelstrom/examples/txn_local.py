#!/usr/bin/env python3
"""Maelstrom txn-list-append / txn-rw-register applied by each node to its own store, never
shared: each node's reads miss the other nodes' writes, so the history is not serializable
(invalid)."""
import threading

from node import Node

node = Node()
store = {}
lock = threading.Lock()


@node.handler("txn")
def txn(msg):
    out = []
    with lock:
        for f, k, v in msg["body"]["txn"]:
            key = str(k)
            if f == "r":
                cur = store.get(key)
                out.append([f, k, list(cur) if isinstance(cur, list) else cur])
            elif f == "append":
                store.setdefault(key, []).append(v)
                out.append([f, k, v])
            else:
                store[key] = v
                out.append([f, k, v])
    node.reply(msg, {"type": "txn_ok", "txn": out})


node.run()
