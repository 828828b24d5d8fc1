#!/usr/bin/env python3
"""The edges of HTTP/1.1 against a real Baton daemon, with a worker that records what reaches it.

    mvn -q package -DskipTests && python3 bench/http_edges.py [--body-timeout 2s]

One worker (bench/recorder_app.py, max_inflight = 1) behind Baton. Each case sends raw bytes on a new connection
(optionally followed by shutdown(SHUT_WR)), reads until Baton closes or 3 s of silence, then checks that a fresh
GET is answered (the worker slot is free). Prints a Markdown table: the statuses the client got, whether Baton
closed, after how long, and the whole requests the worker received. Everything stays on 127.0.0.1.
"""
import argparse
import json
import os
import re
import socket
import sys
import time

import common

HERE = os.path.dirname(os.path.abspath(__file__))
GET = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"

def post(framing, body, path=b"/b"):
    return b"POST " + path + b" HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n" + body

CASES = [
    # name, bytes, half-close?, expect
    ("pipelined GET + POST (Content-Length)", GET + post(b"Content-Length: 5\r\n", b"hello"), False),
    ("pipelined GET + POST (chunked)", GET + post(b"Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n"), False),
    ("chunk size zz", post(b"Transfer-Encoding: chunked\r\n", b"zz\r\nhello\r\n0\r\n\r\n") + GET, False),
    ("chunk size 0x5", post(b"Transfer-Encoding: chunked\r\n", b"0x5\r\nhello\r\n0\r\n\r\n") + GET, False),
    ("chunk size ffffffffffffffffff", post(b"Transfer-Encoding: chunked\r\n", b"ffffffffffffffffff\r\nhello\r\n0\r\n\r\n") + GET, False),
    ("data longer than chunk (3, helloXX)", post(b"Transfer-Encoding: chunked\r\n", b"3\r\nhelloXX\r\n0\r\n\r\n") + GET, False),
    ("bare LF in chunk extension", post(b"Transfer-Encoding: chunked\r\n", b"5;a=b\nhello\r\n0\r\n\r\n") + GET, False),
    ("stalled body (CL 20, 5 bytes)", post(b"Content-Length: 20\r\n", b"12345"), False),
    ("PRI * HTTP/2.0", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", False),
    ("GET / HTTP/3.0", b"GET /v3 HTTP/3.0\r\nHost: x\r\n\r\n", False),
    ("GET / HTTP/1.2", b"GET /v12 HTTP/1.2\r\nHost: x\r\n\r\n", False),
    ("request + FIN (shutdown SHUT_WR)", GET, True),
    ("two pipelined GETs + FIN", GET + GET, True),
]

def run_case(port, data, half_close, idle):
    s = socket.create_connection(("127.0.0.1", port))
    start = time.time()
    s.sendall(data)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    s.settimeout(idle)
    got, closed = b"", False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            got += chunk
    except socket.timeout:
        pass
    elapsed = time.time() - start - (0 if closed else idle)
    s.close()
    statuses = [m.decode() for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", got)]
    return statuses, closed, elapsed

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--body-timeout", default="2s")
    args = p.parse_args()
    with common.scratch_dir("baton-http-edges-") as tmp:
        record = os.path.join(tmp, "record.jsonl")
        port = common.free_port()
        baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", common.command_line(common.PYTHON, os.path.join(HERE, "recorder_app.py"), "--port", "{port}", "--record", record), 1,
            listen="127.0.0.1:%d" % port, health_check="/healthz", max_inflight=1,
            body_timeout=args.body_timeout))
        try:
            baton.wait_healthy("web", 1)
            print("| case | client got | closed by Baton | after (s) | worker received | then a new GET |")
            print("|---|---|---|---|---|---|")
            for name, data, half in CASES:
                before = os.path.getsize(record) if os.path.exists(record) else 0
                statuses, closed, elapsed = run_case(port, data, half, idle=3.0 if "stalled" not in name else 40)
                # the slot must be free: a fresh GET answers 200
                after_statuses, _, _ = run_case(port, b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", False, 10)
                time.sleep(0.2)  # the worker writes its record after answering
                with open(record) as f:
                    f.seek(before)
                    events = [json.loads(l) for l in f if l.strip()]
                got = [e["request"] + (" body=%d" % e["body"] if e["body"] else "") + ("" if e["version"] == "HTTP/1.1" else " " + e["version"]) for e in events if "request" in e and e["request"] != "GET /after"]
                mids = sum(1 for e in events if e.get("closed") and e.get("mid_request"))
                worker = ", ".join(got) or "nothing"
                if mids:
                    worker += " + %d connection(s) closed mid-request" % mids
                print("| %s | %s | %s | %.1f | %s | %s |" % (name, " ".join(statuses) or "no answer",
                      "yes" if closed else "no", elapsed, worker, " ".join(after_statuses)))
        finally:
            baton.stop()


if __name__ == "__main__":
    sys.exit(main())
