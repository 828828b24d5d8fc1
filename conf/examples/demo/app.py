#!/usr/bin/env python3
"""Baton's demo worker: a small HTTP app on the Python 3 standard library only.

It answers every GET with its pid, worker number, generation and app version (as JSON), and /healthz with
"ok". It listens on the loopback port Baton assigns ({port}, also in $BATON_PORT) or on a unix socket
({socket}, $BATON_SOCKET), and logs one line per request on stdout (DEMO_ACCESS_LOG=0 turns that off).

    python3 app.py --port 8001
    python3 app.py --socket /tmp/demo.sock
"""
import argparse
import http.server
import json
import os
import signal
import socket
import socketserver
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version():
    try:
        with open(os.path.join(HERE, "VERSION")) as f:
            return f.read().strip() or "1"
    except OSError:
        return os.environ.get("DEMO_VERSION", "1")


VERSION = read_version()
if VERSION == "broken":  # try a broken deploy: echo broken > demo/VERSION; baton reload
    raise RuntimeError("this deploy is broken: demo/VERSION says so")
STARTED = time.time()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "baton-demo/" + VERSION
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms ACK stall

    def do_GET(self):
        if self.path == "/healthz":
            self.reply(200, "text/plain", b"ok\n")
            return
        body = {
            "pid": os.getpid(),
            "worker": os.environ.get("BATON_WORKER"),
            "generation": os.environ.get("BATON_GENERATION"),
            "version": VERSION,
            "path": self.path,
            "uptime_s": round(time.time() - STARTED, 3),
        }
        self.reply(200, "application/json", (json.dumps(body) + "\n").encode())

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        body = {"pid": os.getpid(), "version": VERSION, "received": len(data)}
        self.reply(200, "application/json", (json.dumps(body) + "\n").encode())

    def reply(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt, *args):
        if os.environ.get("DEMO_ACCESS_LOG", "1") != "0":
            print("%s %s" % (self.address_string(), fmt % args), flush=True)

    def address_string(self):
        client = self.client_address
        return client[0] if isinstance(client, tuple) and client else "unix"


class UnixHandler(Handler):
    disable_nagle_algorithm = False  # TCP_NODELAY does not exist on unix sockets


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("BATON_PORT") or 0))
    parser.add_argument("--socket", default=os.environ.get("BATON_SOCKET"))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    if args.socket:
        if os.path.exists(args.socket):
            os.unlink(args.socket)
        server = UnixServer(args.socket, UnixHandler)
        where = "unix:" + args.socket
    elif args.port:
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
        where = "http://%s:%d" % (args.host, args.port)
    else:
        parser.error("give --port or --socket (Baton passes {port} or {socket})")

    def stop(signum, frame):
        print("received signal %d, shutting down" % signum, flush=True)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print("demo app version %s (pid %d, worker %s) listening on %s"
          % (VERSION, os.getpid(), os.environ.get("BATON_WORKER"), where), flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        if args.socket and os.path.exists(args.socket):
            os.unlink(args.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
