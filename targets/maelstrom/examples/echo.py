#!/usr/bin/env python3
"""Maelstrom echo: answers every echo with the same text."""
from node import Node

node = Node()


@node.handler("echo")
def echo(msg):
    node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


node.run()
