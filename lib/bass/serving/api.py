"""`bass api`: the online query for BOSS (interaction mode 3): what BASS knows about one MSISDN.

No Spark per request: after the monthly scoring, `bass api export` joins the month's scores,
segments, value tiers, campaign memberships and open sales-assist tasks in Spark, writes them as JSON lines, and streams
those into one SQLite file keyed by MSISDN (the serving snapshot, replaced atomically). `bass api
serve` answers `GET /v1/subscribers/<msisdn>` from it with a bearer token; `bass api bench` loads
it with concurrent requests on 127.0.0.1 and reports requests/s and latency percentiles.
"""
from __future__ import annotations

import hmac
import json
import os
import re
import shutil
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pyspark.sql import functions as F

MSISDN = re.compile(r"^1\d{10}$")
SNAPSHOT = "subscribers.sqlite"


def snapshot_path(cfg) -> Path:
    return Path(cfg.path("home")) / "serving" / SNAPSHOT


def profiles(spark, month: str):
    """One row per scored user of `month`: segment, value, churn and campaign memberships (JSON)."""
    month_of = lambda name: spark.table(name).where(F.col("batch_month") == month)  # noqa: E731
    score = month_of("dm.churn_score_m").select("msisdn", "user_id", "churn_prob", "risk_decile", "churn_reasons",
                                               F.col("model_version").alias("churn_model"))
    segment = month_of("dm.user_segment_m").select("user_id", "segment_id", "segment_desc")
    value = month_of("dm.user_value_m").select("user_id", "value_tier", "value_score", "arpu")
    campaigns = (month_of("out.campaign_target_m").where(F.col("grp") == "treated")
                 .groupBy("user_id").agg(F.sort_array(F.collect_list(F.struct(
                     "campaign_id", "campaign_kind", "target_rank", "action_desc", "channel"))).alias("campaigns")))
    return (score.join(segment, "user_id", "left").join(value, "user_id", "left").join(campaigns, "user_id", "left")
            .join(open_tasks(spark), "msisdn", "left")
            .select("msisdn", F.to_json(F.struct(
                F.lit(month).alias("month"), "msisdn", "user_id", "segment_id", "segment_desc", "value_tier",
                F.col("value_score").cast("double").alias("value_score"), F.col("arpu").cast("double").alias("arpu"),
                "churn_prob", "risk_decile", "churn_reasons", "churn_model",
                F.coalesce("campaigns", F.array()).alias("campaigns"),
                F.coalesce("sales_tasks", F.array()).alias("sales_tasks")), {"ignoreNullFields": "false"}).alias("profile")))


def open_tasks(spark):
    """Per user, the sales-assist tasks of the newest task day (out.sales_task_d); none before the first."""
    schema = "msisdn string, sales_tasks array<struct<task_date:string, task_type:string, task_subtype:string, " \
             "reason:string, recommended_plan_id:string, plan_saving:double>>"
    if not spark.catalog.tableExists("out.sales_task_d"):
        return spark.createDataFrame([], schema)
    tasks = spark.table("out.sales_task_d")
    newest = tasks.agg(F.max("batch_date")).first()[0]
    return (tasks.where(F.col("batch_date") == F.lit(newest)).groupBy("msisdn").agg(F.sort_array(F.collect_list(F.struct(
        F.col("task_date").cast("string").alias("task_date"), "task_type", "task_subtype", "reason", "recommended_plan_id",
        F.col("plan_saving").cast("double").alias("plan_saving")))).alias("sales_tasks")))


def export(ctx, month: str | None = None) -> tuple[Path, int]:
    """Write the serving snapshot for `month` (default: the newest scored month)."""
    spark = ctx.spark
    month = month or spark.table("dm.churn_score_m").agg(F.max("batch_month")).first()[0]
    if month is None:
        raise LookupError("dm.churn_score_m is empty: run the scoring batch first")
    target = snapshot_path(ctx.cfg)
    parts = target.parent / f"export-{month}"
    shutil.rmtree(parts, ignore_errors=True)
    profiles(spark, month).write.mode("overwrite").option("compression", "none").json(str(parts))
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.execute("create table profile (msisdn text primary key, body text not null)")
    rows = 0

    def lines():   # streamed line by line into SQLite, never held whole
        nonlocal rows
        for part in sorted(parts.glob("part-*.json")):
            with part.open() as f:
                for line in map(json.loads, f):
                    rows += 1
                    yield line["msisdn"], line["profile"]

    db.executemany("insert or replace into profile values (?, ?)", lines())
    db.execute("create table meta (key text primary key, value text)")
    db.execute("insert into meta values ('month', ?)", (month,))
    db.commit()
    db.close()
    os.replace(tmp, target)
    shutil.rmtree(parts)
    return target, rows


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
