#!/usr/bin/env python3
"""A worker that records what reaches it, for bench/http_edges.py: one JSON line per event in --record.

Parses HTTP/1.1 strictly enough (Content-Length or chunked). Answers 200 "ok METHOD PATH BODYLEN".
Events: {"conn": N, "request": "METHOD PATH", "body": n} for every complete request;
        {"conn": N, "closed": true, "mid_request": bool} when a connection ends.
/healthz is answered and not recorded.
"""
import argparse
import itertools
import json
import socket
import threading

ARGS = None
LOCK = threading.Lock()
COUNTER = itertools.count(1)

def record(event):
    with LOCK, open(ARGS.record, "a") as f:
        f.write(json.dumps(event) + "\n")

class Conn:
    def __init__(self, sock):
        self.sock, self.buf, self.id = sock, b"", next(COUNTER)
    def more(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data
    def line(self):
        while b"\r\n" not in self.buf:
            self.more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line
    def take(self, n):
        while len(self.buf) < n:
            self.more()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

def serve(sock):
    c = Conn(sock)
    mid = False
    try:
        while True:
            mid = bool(c.buf)
            request_line = c.line()
            if not request_line:
                continue
            mid = True
            method, path, version = request_line.decode("latin-1").split(" ")
            headers = {}
            while True:
                h = c.line()
                if not h:
                    break
                k, v = h.decode("latin-1").split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = b""
            if headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    n = int(c.line().split(b";")[0], 16)
                    if n == 0:
                        while c.line():
                            pass
                        break
                    body += c.take(n)
                    if c.take(2) != b"\r\n":
                        raise ValueError("bad chunk end")
            elif "content-length" in headers:
                body = c.take(int(headers["content-length"]))
            mid = False
            if path != "/healthz":
                record({"conn": c.id, "request": method + " " + path, "body": len(body), "version": version})
            out = ("ok %s %s %d\n" % (method, path, len(body))).encode()
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
    except (EOFError, ConnectionError, ValueError):
        record({"conn": c.id, "closed": True, "mid_request": mid or bool(c.buf)})
    finally:
        sock.close()

def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--record", required=True)
    ARGS = p.parse_args()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", ARGS.port))
    s.listen(128)
    print("recorder listening on", ARGS.port, flush=True)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()

if __name__ == "__main__":
    main()
