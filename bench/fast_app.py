#!/usr/bin/env python3
"""A trivially fast HTTP/1.1 backend: answers every request with a fixed 200 "ok", keeping the connection open.

    python3 bench/fast_app.py --port 8001

One asyncio event loop on raw sockets (asyncio.Protocol, no HTTP parsing beyond finding the end of each request
head), so that a proxy in front of it, not the app, is what a benchmark measures. Bodies are not expected (GET
only); "Connection: close" in a request closes the connection after the answer. Standard library only.
"""
import argparse
import asyncio

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"


class Http(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        answers, close = 0, False
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            answers += 1
            if b"\nconnection: close" in head.lower():
                close = True
                break
        if answers:
            self.transport.write(RESPONSE * answers)
        if close:
            self.transport.close()


async def serve(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Http, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
