"""WSGI app for the reload benchmark: about a second of import-time work (like a real app's imports), then
answers its version (read from VERSION beside this file at import, as a deploy would change it) and pid.
VERSION "broken" makes the import fail, like a bad deploy."""
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "VERSION")) as f:
    VERSION = f.read().strip()
if VERSION == "broken":
    raise RuntimeError("broken deploy: this version does not import")
time.sleep(float(os.environ.get("APP_STARTUP", "1")))


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"ok\n"]
    body = (json.dumps({"version": VERSION, "pid": os.getpid()}) + "\n").encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
