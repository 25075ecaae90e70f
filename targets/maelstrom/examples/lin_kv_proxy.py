#!/usr/bin/env python3
"""Maelstrom lin-kv by forwarding every read, write and cas to the lin-kv service: linearizable
because the service is. A timeout becomes error 0 (indeterminate), never a guess."""
from node import Node, RPCError

node = Node()


def forward(msg, body, ok_type):
    reply = node.rpc("lin-kv", body)
    out = {"type": ok_type}
    if "value" in reply:
        out["value"] = reply["value"]
    node.reply(msg, out)


@node.handler("read", spawn=True)
def read(msg):
    forward(msg, {"type": "read", "key": msg["body"]["key"]}, "read_ok")


@node.handler("write", spawn=True)
def write(msg):
    b = msg["body"]
    forward(msg, {"type": "write", "key": b["key"], "value": b["value"]}, "write_ok")


@node.handler("cas", spawn=True)
def cas(msg):
    b = msg["body"]
    forward(msg, {"type": "cas", "key": b["key"], "from": b["from"], "to": b["to"]}, "cas_ok")


node.run()
