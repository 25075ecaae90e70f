#!/usr/bin/env python3
"""Maelstrom txn-list-append / txn-rw-register: the first node applies every transaction to its
in-memory store under one lock, and the other nodes forward theirs to it, so transactions are
strictly serializable (a node cut off from the first one answers error 0: indeterminate)."""
import threading

from node import Node

node = Node()
store = {}
lock = threading.Lock()


def apply(txn):
    out = []
    with lock:
        for f, k, v in txn:
            key = str(k)
            if f == "r":
                cur = store.get(key)
                out.append([f, k, list(cur) if isinstance(cur, list) else cur])
            elif f == "append":
                store.setdefault(key, []).append(v)
                out.append([f, k, v])
            else:  # "w"
                store[key] = v
                out.append([f, k, v])
    return out


@node.handler("txn", spawn=True)
def txn(msg):
    leader = sorted(node.node_ids)[0]
    if node.node_id == leader:
        result = apply(msg["body"]["txn"])
    else:
        result = node.rpc(leader, {"type": "txn", "txn": msg["body"]["txn"]}, timeout=1.5)["txn"]
    node.reply(msg, {"type": "txn_ok", "txn": result})


node.run()
