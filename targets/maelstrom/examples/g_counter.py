#!/usr/bin/env python3
"""Maelstrom g-counter / pn-counter as a state-based CRDT: each node counts its own adds (ups and
downs apart) and gossips its whole map to every other node every 0.3 s; a read sums the maps."""
import threading
import time

from node import Node

node = Node()
ups, downs = {}, {}  # node -> total of that node's positive / negative adds
lock = threading.Lock()


@node.handler("add")
def add(msg):
    delta = msg["body"]["delta"]
    with lock:
        side = ups if delta >= 0 else downs
        side[node.node_id] = side.get(node.node_id, 0) + abs(delta)
    node.reply(msg, {"type": "add_ok"})


@node.handler("read")
def read(msg):
    with lock:
        value = sum(ups.values()) - sum(downs.values())
    node.reply(msg, {"type": "read_ok", "value": value})


@node.handler("state")
def state(msg):
    with lock:
        for mine, theirs in ((ups, msg["body"]["ups"]), (downs, msg["body"]["downs"])):
            for n, v in theirs.items():
                mine[n] = max(mine.get(n, 0), v)


def gossip():
    while True:
        time.sleep(0.3)
        with lock:
            body = {"type": "state", "ups": dict(ups), "downs": dict(downs)}
        for n in node.node_ids:
            if n != node.node_id:
                node.send(n, body)


threading.Thread(target=gossip, daemon=True).start()
node.run()
