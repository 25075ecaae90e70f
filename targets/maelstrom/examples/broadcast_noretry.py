#!/usr/bin/env python3
"""Maelstrom broadcast that sends each new message to its neighbours exactly once and never
retries: fine on a perfect network, but a message sent while a partition cuts a link is lost for
good, so under --nemesis partition some node never reads it (invalid)."""
import threading

from node import Node

node = Node()
messages = set()
neighbours = []
lock = threading.Lock()


@node.handler("topology")
def topology(msg):
    global neighbours
    neighbours = msg["body"]["topology"].get(node.node_id, [])
    node.reply(msg, {"type": "topology_ok"})


def learn(message, source):
    with lock:
        if message in messages:
            return
        messages.add(message)
    for n in neighbours:
        if n != source:
            node.send(n, {"type": "forward", "message": message})


@node.handler("broadcast")
def broadcast(msg):
    learn(msg["body"]["message"], None)
    node.reply(msg, {"type": "broadcast_ok"})


@node.handler("forward")
def forward(msg):
    learn(msg["body"]["message"], msg["src"])


@node.handler("read")
def read(msg):
    with lock:
        seen = sorted(messages)
    node.reply(msg, {"type": "read_ok", "messages": seen})


node.run()
