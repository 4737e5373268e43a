"""`bass bench-serve`: how long an analyst's small query waits behind another analyst's runaway one.

A scratch home with a small analyst table, an analyst server of the BASS checkout given (this
one by default; an older checkout measures the before), and two analysts: one runs
`select count(*) from range(0, 200000000000, 1, 2)` (two tasks of about a minute each on two
cores), the other, three seconds later, a count over a view. Prints one JSON line.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bass.core.config import load_config
from bass.core.session import build_spark, table_location
from bass.serving import accounts

RUNAWAY = "select count(*) from range(0, 200000000000, 1, 2)"
SMALL = "select count(*) from analyst.dm_churn_score_m"
KEY = "bench-pseudonym-key-0123456789"


def warehouse(home: Path, users: int = 10_000) -> None:
    os.environ["BASS_HOME"] = str(home)
    cfg = load_config("local")
    spark = build_spark(cfg)
    try:
        rows = spark.range(users).selectExpr("cast(id as string) as user_id", "cast(13800000000 + id as string) as msisdn",
                                             "cast(571 + id % 3 as string) as region_code", "'2026-01' as batch_month")
        for name in ("dm.churn_score_m", "mid.user_h"):
            rows.write.format("delta").mode("overwrite").save(table_location(cfg, name))
    finally:
        spark.stop()
    # lines without a scope (the province's): what servers from before scopes read too
    path = Path(cfg.path("accounts"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(accounts.hash_line(u, "analyst", f"{u}-secret").rsplit(":", 1)[0] + "\n"
                            for u in ("alice", "dave")))


def measure(repo: Path, home: Path, port: int) -> dict:
    from pyhive import hive
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    warehouse(home)
    env = {**os.environ, "BASS_HOME": str(home), "BASS_PII_KEY": KEY, "PYTHONPATH": str(repo / "lib"),
           "BASS_REPO": str(repo), "BASS_ENV": "local"}
    log = home / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bass.cli", "serve", "--port", str(port)], env=env, cwd=repo,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while "bass serve (" not in log.read_text():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the server did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.5)

        def run(user: str, sql: str) -> float:
            conn = hive.connect(host="127.0.0.1", port=port, username=user, password=f"{user}-secret", auth="CUSTOM")
            started = time.time()
            cur = conn.cursor()
            cur.execute(sql)
            cur.fetchall()
            return time.time() - started

        run("dave", SMALL)                                    # warm: the view's first read
        runaway: dict = {}

        def go():
            started = time.time()
            try:
                run("alice", RUNAWAY)
                runaway["ended"] = "finished"
            except Exception as e:   # noqa: BLE001 - a limit ending it is an outcome to report
                runaway["ended"] = str(e).split("\n")[0][:200]
            runaway["seconds"] = round(time.time() - started, 1)

        thread = threading.Thread(target=go)
        thread.start()
        time.sleep(3)
        small = run("dave", SMALL)
        thread.join()
        return {"repo": str(repo), "small_query_seconds": round(small, 1), "runaway_seconds": runaway["seconds"],
                "runaway_ended": runaway["ended"]}
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main(repo: str | None, home: str | None, port: int) -> dict:
    root = Path(repo or Path(__file__).resolve().parents[3]).resolve()
    result = measure(root, Path(home or "/tmp/bass-bench-serve").resolve(), port)
    print(json.dumps(result))
    return result
