#!/usr/bin/env python3
"""A worker that leaves Nagle's algorithm on, as Python's http.server does by default: each response's head and
body go out in two writes. For bench/nagle_bench.py.

    python3 bench/nagle_app.py PORT
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_GET(self):
        body = b"hello\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
