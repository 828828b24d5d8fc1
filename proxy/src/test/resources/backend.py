#!/usr/bin/env python3
"""Test worker for the proxy tests (standard library only).

    python3 backend.py --port N [--name web:0] [--health-status 200]

GET  /                  JSON: name, pid, path, headers seen
GET  /slow?ms=200       answers after a delay
GET  /hang              never answers (keeps the connection open)
GET  /close             closes the connection without answering
GET  /head-then-close?on=NAME  the worker named NAME sends a response head announcing 100 bytes, then closes
                        without a byte of body (a worker dying between head and body); the others answer as GET /
GET  /fail?on=NAME       the worker named NAME answers 500 (a JSON body); the others answer as GET /
GET  /head-then-body?ms=500  a response head announcing 5 bytes, then after ms the body "done\n"
GET  /chunked?n=3       chunked response of n parts
GET  /http10            HTTP/1.0 response without Content-Length, ended by closing
GET  /download?bytes=N  streams N bytes (chunks of 64 KiB)
POST /upload            reads the body (Content-Length or chunked), answers its size and sha256
GET  /ws                WebSocket echo (text and binary frames); the text "split MS" is answered with a
                        100-byte text frame sent in two halves MS milliseconds apart
GET  /healthz           200, or --health-status
GET  /seen              text: one line per request received so far, "METHOD PATH USER-AGENT", this one last
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

ARGS = None
SEEN = []
SEEN_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms ACK stall

    def log_message(self, fmt, *args):
        pass

    def query(self):
        return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

    def send(self, status, body, content_type="application/json"):
        payload = body if isinstance(body, bytes) else (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def seen(self):
        with SEEN_LOCK:
            SEEN.append("%s %s %s" % (self.command, self.path, self.headers.get("User-Agent", "-")))
            return "".join(line + "\n" for line in SEEN).encode()

    def do_GET(self):
        path = urlparse(self.path).path
        q = self.query()
        seen = self.seen()
        if path == "/seen":
            self.send(200, seen, "text/plain")
        elif path == "/healthz":
            self.send(ARGS.health_status, b"ok\n", "text/plain")
        elif path == "/slow":
            time.sleep(int(q.get("ms", "200")) / 1000.0)
            self.send(200, {"name": ARGS.name, "pid": os.getpid(), "slow": True})
        elif path == "/hang":
            time.sleep(3600)
        elif path == "/close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif path == "/head-then-close" and q.get("on") == ARGS.name:
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif path == "/fail" and q.get("on") == ARGS.name:
            self.send(500, {"name": ARGS.name, "pid": os.getpid(), "failed": True})
        elif path == "/head-then-body":
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.flush()
            time.sleep(int(q.get("ms", "500")) / 1000.0)
            self.wfile.write(b"done\n")
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(int(q.get("n", "3"))):
                part = ("part-%d\n" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/http10":
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold-style body\n")
            self.close_connection = True
        elif path == "/download":
            total = int(q.get("bytes", "1048576"))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(total))
            self.end_headers()
            block = b"x" * 65536
            sent = 0
            while sent < total:
                n = min(len(block), total - sent)
                self.wfile.write(block[:n])
                sent += n
        elif path == "/ws":
            self.websocket()
        else:
            headers = {k.lower(): v for k, v in self.headers.items()}
            self.send(200, {"name": ARGS.name, "pid": os.getpid(), "path": self.path, "headers": headers})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "1234")
        self.end_headers()

    def do_POST(self):
        digest = hashlib.sha256()
        size = 0
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip(), 16)
                if n == 0:
                    self.rfile.readline()
                    break
                left = n
                while left:
                    data = self.rfile.read(min(left, 65536))
                    digest.update(data)
                    left -= len(data)
                    size += len(data)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left:
                data = self.rfile.read(min(left, 65536))
                if not data:
                    break
                digest.update(data)
                left -= len(data)
                size += len(data)
        self.send(200, {"name": ARGS.name, "received": size, "sha256": digest.hexdigest()})

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            opcode = head[0] & 0x0F
            length = head[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            if opcode == 8:
                self.wfile.write(b"\x88\x00")
                return
            if opcode == 1 and data.startswith(b"split "):
                self.split_frame(int(data[6:]) / 1000.0)
                continue
            reply = bytes([0x80 | opcode])
            if len(data) < 126:
                reply += bytes([len(data)])
            elif len(data) < 65536:
                reply += bytes([126]) + struct.pack(">H", len(data))
            else:
                reply += bytes([127]) + struct.pack(">Q", len(data))
            self.wfile.write(reply + data)
            self.wfile.flush()


    def split_frame(self, pause):
        frame = bytes([0x81, 100]) + b"s" * 100
        self.wfile.write(frame[:52])
        self.wfile.flush()
        time.sleep(pause)
        self.wfile.write(frame[52:])
        self.wfile.flush()


class UnixHandler(Handler):
    disable_nagle_algorithm = False  # TCP_NODELAY does not exist on unix sockets


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("unix", 0)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--socket")
    parser.add_argument("--name", default="backend")
    parser.add_argument("--health-status", type=int, default=200)
    ARGS = parser.parse_args()
    if ARGS.socket:
        server = UnixServer(ARGS.socket, UnixHandler)
    else:
        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer.allow_reuse_address = True
        server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
