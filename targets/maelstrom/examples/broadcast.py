#!/usr/bin/env python3
"""Maelstrom broadcast, correct under partitions: every node gossips the messages it knows to its
neighbours until each neighbour has acknowledged them, retrying every 0.3 s, so messages sent
during a partition arrive once it heals."""
import threading
import time

from node import Node

node = Node()
messages = set()
unacked = {}  # neighbour -> set of messages it has not acknowledged
neighbours = []
lock = threading.Lock()


@node.handler("topology")
def topology(msg):
    global neighbours
    with lock:
        neighbours = msg["body"]["topology"].get(node.node_id, [n for n in node.node_ids if n != node.node_id])
        for n in neighbours:
            unacked.setdefault(n, set())
    node.reply(msg, {"type": "topology_ok"})


def learn(new, source):
    with lock:
        fresh = set(new) - messages
        messages.update(fresh)
        for n in neighbours:
            if n != source:
                unacked.setdefault(n, set()).update(fresh)


@node.handler("broadcast")
def broadcast(msg):
    learn([msg["body"]["message"]], None)
    node.reply(msg, {"type": "broadcast_ok"})


@node.handler("gossip")
def gossip(msg):
    learn(msg["body"]["messages"], msg["src"])
    node.send(msg["src"], {"type": "gossip_ok", "messages": msg["body"]["messages"]})


@node.handler("gossip_ok")
def gossip_ok(msg):
    with lock:
        unacked.get(msg["src"], set()).difference_update(msg["body"]["messages"])


@node.handler("read")
def read(msg):
    with lock:
        seen = sorted(messages)
    node.reply(msg, {"type": "read_ok", "messages": seen})


def gossip_loop():
    while True:
        time.sleep(0.3)
        with lock:
            batches = {n: sorted(m) for n, m in unacked.items() if m}
        for n, batch in batches.items():
            node.send(n, {"type": "gossip", "messages": batch})


threading.Thread(target=gossip_loop, daemon=True).start()
node.run()
