#!/usr/bin/env python3
"""Maelstrom unique-ids: node id plus a local counter, unique without any coordination."""
import itertools

from node import Node

node = Node()
counter = itertools.count()


@node.handler("generate")
def generate(msg):
    node.reply(msg, {"type": "generate_ok", "id": "%s-%d" % (node.node_id, next(counter))})


node.run()
