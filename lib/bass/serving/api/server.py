"""The online query's HTTP server (`bass api serve`): `GET /v1/subscribers/<msisdn>` with a
bearer token, answered from the serving snapshot. No Spark per request."""
from __future__ import annotations

import hmac
import json
import os
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MSISDN = re.compile(r"^1\d{10}$")


class Lookup:
    """Answers from the snapshot; one read-only SQLite connection per serving thread (the HTTP
    server runs each request in a thread of its own, so a new export is seen at once)."""

    def __init__(self, path: Path, token: str):
        if not path.exists():
            raise FileNotFoundError(f"no serving snapshot at {path}: run `bass api export` after the scoring batch")
        self.path, self.token, self.local = path, token, threading.local()

    def _db(self) -> sqlite3.Connection:
        if not hasattr(self.local, "db"):
            self.local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        return self.local.db

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict]:
        if path == "/healthz":
            return 200, {"status": "ok"}
        if not authorization or not hmac.compare_digest(authorization, f"Bearer {self.token}"):
            return 401, {"error": "missing or wrong bearer token"}
        match = re.fullmatch(r"/v1/subscribers/([^/]*)", path)
        if not match:
            return 404, {"error": f"unknown path {path}; use /v1/subscribers/<msisdn>"}
        msisdn = match.group(1)
        if not MSISDN.match(msisdn):
            return 400, {"error": f"malformed MSISDN {msisdn[:20]!r}: expected 11 digits starting with 1"}
        row = self._db().execute("select body from profile where msisdn = ?", (msisdn,)).fetchone()
        if row is None:
            return 404, {"error": f"{msisdn} is not in the serving snapshot"}
        return 200, json.loads(row[0])


def make_server(lookup: Lookup, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):   # noqa: N802 (the http.server API)
            status, body = lookup.answer(self.path, self.headers.get("Authorization"))
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):   # one line per request would drown the console
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128   # socketserver's 5 drops connections under load (a 1-3 s SYN retry)

    return Server((host, port), Handler)


def token_from_env(cfg) -> str:
    token = os.environ.get(cfg.get("api.token_env"), "")
    if len(token) < 16:
        raise ValueError(f"set the API token in ${cfg.get('api.token_env')} (at least 16 characters)")
    return token
