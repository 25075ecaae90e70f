#!/usr/bin/env python3
"""Maelstrom g-set as a state-based CRDT: each node adds elements to its set and gossips the whole
set to every other node every 0.3 s; a node merges what it receives by union."""
import threading
import time

from node import Node

node = Node()
elements = set()
lock = threading.Lock()


@node.handler("add")
def add(msg):
    with lock:
        elements.add(msg["body"]["element"])
    node.reply(msg, {"type": "add_ok"})


@node.handler("read")
def read(msg):
    with lock:
        value = sorted(elements)
    node.reply(msg, {"type": "read_ok", "value": value})


@node.handler("replicate")
def replicate(msg):
    with lock:
        elements.update(msg["body"]["value"])


def gossip():
    while True:
        time.sleep(0.3)
        with lock:
            body = {"type": "replicate", "value": sorted(elements)}
        for n in node.node_ids:
            if n != node.node_id:
                node.send(n, body)


threading.Thread(target=gossip, daemon=True).start()
node.run()
