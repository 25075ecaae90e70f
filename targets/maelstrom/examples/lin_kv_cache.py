#!/usr/bin/env python3
"""Maelstrom lin-kv that forwards writes and cas to the lin-kv service but answers reads from a
local cache of the values it last saw: another node's newer write is invisible to it, so reads go
stale and the history is not linearizable (invalid, and more so under partitions)."""
from node import Node, RPCError

node = Node()
cache = {}


@node.handler("read", spawn=True)
def read(msg):
    key = msg["body"]["key"]
    if key not in cache:
        cache[key] = node.rpc("lin-kv", {"type": "read", "key": key})["value"]
    node.reply(msg, {"type": "read_ok", "value": cache[key]})


@node.handler("write", spawn=True)
def write(msg):
    b = msg["body"]
    node.rpc("lin-kv", {"type": "write", "key": b["key"], "value": b["value"]})
    cache[b["key"]] = b["value"]
    node.reply(msg, {"type": "write_ok"})


@node.handler("cas", spawn=True)
def cas(msg):
    b = msg["body"]
    node.rpc("lin-kv", {"type": "cas", "key": b["key"], "from": b["from"], "to": b["to"]})
    cache[b["key"]] = b["to"]
    node.reply(msg, {"type": "cas_ok"})


node.run()
