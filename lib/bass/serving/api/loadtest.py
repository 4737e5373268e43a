"""The online query's load test (`bass api bench`): a server on 127.0.0.1 and concurrent
lookups of MSISDNs from the snapshot; requests/s and latency percentiles."""
from __future__ import annotations

import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bass.serving.api.server import Lookup, make_server


def sample_msisdns(path: Path, n: int = 1000) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [r[0] for r in db.execute("select msisdn from profile limit ?", (n,))]


def bench_local(path: Path, requests: int = 10_000, concurrency: int = 8) -> dict:
    """The load test: a server on 127.0.0.1 (an ephemeral port) and `requests` lookups of
    MSISDNs from the snapshot."""
    token = "bench-" + os.urandom(12).hex()
    server = make_server(Lookup(path, token), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return bench(f"http://127.0.0.1:{server.server_address[1]}", token, sample_msisdns(path), requests, concurrency)
    finally:
        server.shutdown()
        server.server_close()


def bench(url: str, token: str, msisdns: list[str], requests: int, concurrency: int) -> dict:
    """Send `requests` lookups with `concurrency` client threads; report throughput and latency."""
    def one(i: int) -> tuple[float, int]:
        req = urllib.request.Request(f"{url}/v1/subscribers/{msisdns[i % len(msisdns)]}",
                                     headers={"Authorization": f"Bearer {token}"})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                r.read()
                code = r.status
        except urllib.error.HTTPError as e:
            code = e.code
        return time.perf_counter() - t, code

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - t0
    lat = sorted(r[0] for r in results)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return {"requests": requests, "concurrency": concurrency, "ok": sum(r[1] == 200 for r in results),
            "requests_per_s": round(requests / wall, 1), "p50_ms": round(pick(0.5), 2), "p99_ms": round(pick(0.99), 2),
            "max_ms": round(lat[-1] * 1000, 2)}
