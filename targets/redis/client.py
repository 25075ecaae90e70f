#!/usr/bin/python3
"""faultline client for Redis with replication (docs/client-protocol.md).

Register ops on independent keys, value [key, v]: reads go to the worker's own node, writes and
compare-and-set to the primary that node replicates from (found with ROLE).
"""
import json
import sys

import redis

CAS = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2]) return 1 end return 0"
TIMEOUT = 3  # seconds; well under faultline's op timeout, so an answer always comes back


connections = {}


def connect(address, port=6379):
    if (address, port) not in connections:
        connections[address, port] = redis.Redis(host=address, port=port, socket_timeout=TIMEOUT,
                                                 socket_connect_timeout=TIMEOUT)
    return connections[address, port]


def primary_of(node):
    role = node.execute_command("ROLE")
    return node if role[0] == b"master" else connect(role[1].decode(), role[2])


def invoke(node, request):
    key, arg = request["value"]
    name = "r/%s" % json.dumps(key)
    if request["f"] == "read":
        v = node.get(name)
        return {"type": "ok", "value": [key, None if v is None else int(v)]}
    if request["f"] == "write":
        primary_of(node).set(name, arg)
        return {"type": "ok", "value": [key, arg]}
    if request["f"] == "cas":
        done = primary_of(node).eval(CAS, 1, name, arg[0], arg[1])
        return {"type": "ok" if done == 1 else "fail", "value": [key, arg]}
    return {"type": "fail", "error": "unknown op %s" % request["f"]}


def main():
    for line in sys.stdin:
        request = json.loads(line)
        try:
            response = invoke(connect(request["address"]), request)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:  # may have happened
            response = {"type": "fail" if request["f"] == "read" else "info", "error": str(e)}
        except redis.exceptions.ResponseError as e:  # Redis refused it: nothing happened
            response = {"type": "fail", "error": str(e)}
        print(json.dumps(response), flush=True)


if __name__ == "__main__":
    main()
