"""A tiny Maelstrom node library (Python standard library only) for the examples.

A node reads one JSON message per line on stdin and writes one per line on stdout. Handlers run
on the reading thread; rpc() waits for the reply on the caller's thread, so handlers that call
rpc() are run on their own threads (spawn=True)."""
import itertools
import json
import sys
import threading


class RPCError(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


class Node:
    def __init__(self):
        self.node_id = None
        self.node_ids = []
        self.handlers = {}
        self.spawned = set()
        self.on_init = None
        self.lock = threading.Lock()
        self.out_lock = threading.Lock()
        self.ids = itertools.count(1)
        self.waiting = {}  # msg_id -> (event, [reply])

    def handler(self, type_, spawn=False):
        def register(fn):
            self.handlers[type_] = fn
            if spawn:
                self.spawned.add(type_)
            return fn
        return register

    def send(self, dest, body):
        line = json.dumps({"src": self.node_id, "dest": dest, "body": body})
        with self.out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def reply(self, msg, body):
        body = dict(body)
        body["in_reply_to"] = msg["body"]["msg_id"]
        self.send(msg["src"], body)

    def rpc(self, dest, body, timeout=1.0):
        """Sends body to dest and returns the reply body; raises RPCError (code 0 on timeout)."""
        msg_id = next(self.ids)
        event, box = threading.Event(), []
        with self.lock:
            self.waiting[msg_id] = (event, box)
        self.send(dest, dict(body, msg_id=msg_id))
        if not event.wait(timeout):
            with self.lock:
                self.waiting.pop(msg_id, None)
            raise RPCError(0, "timeout")
        reply = box[0]
        if reply.get("type") == "error":
            raise RPCError(reply.get("code"), reply.get("text", ""))
        return reply

    def log(self, text):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def _handle(self, fn, msg):
        try:
            fn(msg)
        except RPCError as e:
            self.reply(msg, {"type": "error", "code": e.code, "text": e.text})
        except Exception as e:  # a bug in a handler answers as a crash (indefinite)
            self.log("handler failed: %r" % (e,))
            if "msg_id" in msg["body"]:
                self.reply(msg, {"type": "error", "code": 13, "text": str(e)})

    def run(self):
        for line in sys.stdin:
            msg = json.loads(line)
            body = msg["body"]
            reply_to = body.get("in_reply_to")
            if reply_to is not None:
                with self.lock:
                    waiter = self.waiting.pop(reply_to, None)
                if waiter:
                    waiter[1].append(body)
                    waiter[0].set()
                continue
            if body["type"] == "init":
                self.node_id = body["node_id"]
                self.node_ids = body["node_ids"]
                if self.on_init:
                    self.on_init()
                self.reply(msg, {"type": "init_ok"})
                continue
            fn = self.handlers.get(body["type"])
            if fn is None:
                self.reply(msg, {"type": "error", "code": 10, "text": "unsupported: " + body["type"]})
            elif body["type"] in self.spawned:
                threading.Thread(target=self._handle, args=(fn, msg), daemon=True).start()
            else:
                self._handle(fn, msg)
