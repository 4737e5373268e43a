"""`make cluster-test`: BASS on a real cluster with shared storage, against a local run.

On this machine it starts HDFS (Hadoop's MiniDFSCluster: a namenode and two datanodes, from
Maven's `hadoop-client-minicluster`) and a Spark standalone master with two workers, simulates a
small province on the local disk and puts its landing files on HDFS. Then `spark-submit.sh` runs
the same batches twice, with the same configuration (BASS_ENV=standalone):

- local: `--master local[2]`, BASS_HOME on the local disk;
- cluster: `--master spark://…`, BASS_HOME on HDFS: landing, warehouse, outbox, archive, reports
  and MLflow's artifacts there (MLflow's run store, a database, is an SQLite file by the driver).

The daily batch over every CDR day, the monthly batch over every month, `ml train` and the scoring
batch of the last month. Every table of both warehouses must hold the same rows (a multiset: each
row's hash, both ways), every data file sent to BOSS the same bytes, and the cluster's models,
reports and receipts must be on HDFS.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, FloatType

from bass.core.config import REPO_ROOT
from bass.core.jars import fetch, jars_dir
from bass.core.registry import load_registry
from bass.core.session import get_context, table_location
from bass.core.storage import HadoopStorage
from bass.devkit.simulator.generate import generate, timeline

USERS, MONTHS, START, SEED = 1000, 6, dt.date(2026, 1, 1), 42
# Maven artifacts of the minicluster besides Spark's own Hadoop client (its version follows it)
TEST_RUNTIME = ["org.junit.jupiter:junit-jupiter-api:5.10.2", "org.opentest4j:opentest4j:1.3.0",
                "org.junit.platform:junit-platform-commons:1.10.2"]


def spark_home() -> Path:
    import pyspark
    return Path(pyspark.__file__).parent


def hadoop_version() -> str:
    [api] = (spark_home() / "jars").glob("hadoop-client-api-*.jar")
    return api.stem.removeprefix("hadoop-client-api-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} stopped (exit {proc.returncode}); its log: {log}\n{tail(log)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    raise SystemExit(f"{what} did not listen on port {port} within {timeout:.0f} s; its log: {log}\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


class Services:
    """HDFS and a Spark standalone cluster as child processes, stopped on exit."""

    def __init__(self, work: Path):
        self.work, self.procs = work, []

    def start(self, name: str, cmd: list[str], env: dict | None = None) -> tuple[subprocess.Popen, Path]:
        log = self.work / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=self.work,
                                env={**os.environ, **(env or {})}, start_new_session=True)
        self.procs.append(proc)
        return proc, log

    def hdfs(self) -> str:
        jars = fetch([f"org.apache.hadoop:hadoop-client-minicluster:{hadoop_version()}", *TEST_RUNTIME],
                     jars_dir_for_cluster())
        port = free_port()
        classpath = ":".join([*jars, str(spark_home() / "jars" / "*")])
        proc, log = self.start("hdfs", [
            "java", f"-Dtest.build.data={self.work / 'dfs'}", "-cp", classpath,
            "org.apache.hadoop.mapreduce.MiniHadoopClusterManager", "-nomr", "-format", "-datanodes", "2",
            "-nnport", str(port), "-nnhttpport", str(free_port()), "-D", "dfs.replication=2",
            # a file closes once its last block is written, without waiting for the datanodes'
            # next report (otherwise every small file, a Delta commit among them, waits a second)
            "-D", "dfs.namenode.file.close.num-committed-allowed=1"])
        wait_for_port(port, "HDFS's namenode", proc, log)
        return f"hdfs://127.0.0.1:{port}"

    def spark(self, workers: int = 2) -> str:
        env = {"SPARK_HOME": str(spark_home()), "SPARK_WORKER_DIR": str(self.work / "spark-work")}
        spark_class = str(spark_home() / "bin" / "spark-class")
        port = free_port()
        proc, log = self.start("spark-master", [spark_class, "org.apache.spark.deploy.master.Master", "--host",
                                                "127.0.0.1", "--port", str(port), "--webui-port", str(free_port())], env)
        wait_for_port(port, "the Spark master", proc, log)
        master = f"spark://127.0.0.1:{port}"
        for i in range(workers):
            self.start(f"spark-worker-{i + 1}", [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                                 "--cores", "1", "--memory", "3g", "--webui-port", str(free_port()), master], env)
        return master

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def jars_dir_for_cluster() -> Path:
    from bass.core.config import load_config
    return jars_dir(load_config("standalone")) / "cluster-test"


def batches(days: list[str], months: list[str]) -> list[list[str]]:
    return [["daily", *[a for d in days for a in ("--date", d)]],
            ["monthly", "--from", months[0], "--to", months[-1]],
            ["ml", "train", "--candidates", "demo.churn_candidates"],
            ["scoring", "--month", months[-1]]]


def submit(side: str, home: str, submit_opts: str, work: Path, extra_env: dict | None = None,
           steps: list[list[str]] = ()) -> float:
    """Run the batches through spark-submit.sh with BASS_HOME=`home`; seconds taken."""
    env = {**os.environ, "BASS_ENV": "standalone", "BASS_HOME": home, "SPARK_SUBMIT_OPTS_BASS": submit_opts,
           **(extra_env or {})}
    env.pop("BASS_TRUTH", None)
    t0 = time.time()
    for i, args in enumerate(steps, start=1):
        log = work / "logs" / f"{side}-{i}-{args[0]}.log"
        started = time.time()
        with log.open("w") as out:
            code = subprocess.run([str(REPO_ROOT / "spark-submit.sh"), *args], env=env, stdout=out,
                                  stderr=subprocess.STDOUT).returncode
        print(f"   {side}: {' '.join(args)}: {'ok' if code == 0 else f'FAILED (exit {code})'} "
              f"in {time.time() - started:.0f} s", flush=True)
        if code:
            raise SystemExit(f"{side} run failed; its log: {log}\n{tail(log)}")
    return time.time() - t0


def model_outputs() -> set[str]:
    """The tables the scoring batch writes from the trained models (and the lists cut from them)."""
    from bass.orchestration.graph import load_pipeline
    return {n.step for n in load_pipeline("scoring").nodes}


def compare_tables(spark, local_cfg, cluster_cfg, scored: set[str] = frozenset()
                   ) -> tuple[list[str], list[str], list[str]]:
    """(tables with equal rows, problems, scored tables written on both sides): every table but
    the bookkeeping (meta), row by row; those in `scored`, written from the models each side
    trained, only as written or not: the two layouts train two different models (measured in
    docs/benchmarks.md)."""
    storage = HadoopStorage(spark)
    same, problems, scored_seen = [], [], []
    for name in sorted(load_registry()):
        if name.startswith("meta."):
            continue
        here, there = table_location(local_cfg, name), table_location(cluster_cfg, name)
        found = [storage.exists(f"{loc}/_delta_log") for loc in (here, there)]
        if not any(found):
            continue
        if not all(found):
            problems.append(f"{name}: written only by the {'local' if found[0] else 'cluster'} run")
            continue
        a, b = (spark.read.format("delta").load(loc) for loc in (here, there))
        if a.columns != b.columns:
            problems.append(f"{name}: columns differ")
            continue
        if name in scored:
            rows, theirs = a.count(), b.count()
            if bool(rows) != bool(theirs):
                problems.append(f"{name}: {rows} rows in the local run, {theirs} in the cluster's")
            else:
                scored_seen.append(f"{name} ({rows:,} rows here, {theirs:,} there)")
            continue
        a, b = (df.select(F.xxhash64(*comparable(df)).alias("h")) for df in (a, b))
        (rows, fingerprint), theirs = (fingerprint_of(df) for df in (a, b))
        if (rows, fingerprint) == theirs:
            same.append(f"{name} ({rows:,} rows)")
        else:
            problems.append(f"{name}: {a.exceptAll(b).count()} rows only in the local run, "
                            f"{b.exceptAll(a).count()} only in the cluster's")
    return same, problems, scored_seen


def comparable(df) -> list:
    """The columns as compared: doubles rounded to 9 decimal places, since a sum of doubles
    depends on the order its partial sums arrive in, which no two runs share (PageRank's ranks
    differ in their last bits between the local run and the cluster's)."""
    return [F.round(F.col(f"`{f.name}`"), 9) if isinstance(f.dataType, (DoubleType, FloatType)) else F.col(f"`{f.name}`")
            for f in df.schema.fields]


def fingerprint_of(hashes) -> tuple[int, int]:
    """(rows, the sum of their hashes): equal for equal multisets of rows, order aside."""
    row = hashes.select(F.count(F.lit(1)), F.sum(F.col("h").cast("decimal(38,0)"))).first()
    return row[0], int(row[1] or 0)


def compare_outbox(spark, local_outbox: str, cluster_outbox: str, scored: set[str] = frozenset()) -> tuple[int, list[str]]:
    """(data files equal, problems): every .dat sent to BOSS, byte for byte; those of the
    interfaces in `scored` (lists cut from model scores) only as sent or not."""
    storage = HadoopStorage(spark)
    problems, equal = [], 0
    for code in storage.children(f"file://{local_outbox}"):
        if code == "receipt":
            continue
        for name in sorted(n for n in storage.list(f"file://{local_outbox}/{code}") if n.endswith(".dat")):
            there = f"{cluster_outbox}/{code}/{name}"
            if not storage.exists(there):
                problems.append(f"outbox {code}/{name}: not sent by the cluster run")
            elif code in scored:
                continue
            elif b"".join(storage.chunks(there)) != Path(local_outbox, code, name).read_bytes():
                problems.append(f"outbox {code}/{name}: differs")
            else:
                equal += 1
    return equal, problems


def on_hdfs(spark, home: str) -> list[str]:
    """What the cluster run must have left on HDFS besides tables; problems."""
    storage = HadoopStorage(spark)
    expected = {"MLflow model artifacts": f"{home}/mlflow/artifacts", "churn reports": f"{home}/reports/churn",
                "receipts of the deliveries": f"{home}/outbox/receipt", "the archive of what was sent": f"{home}/archive"}
    problems = [f"no {what} in {path}" for what, path in expected.items() if not storage.tree(path)]
    models = [p for p in storage.tree(f"{home}/mlflow/artifacts") if "/sparkml/metadata/part-" in p]
    if not models:
        problems.append(f"no Spark model saved under {home}/mlflow/artifacts")
    return problems


def main() -> int:
    work = (REPO_ROOT / "var" / "cluster-test").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    local_home = work / "local"
    os.environ.update(BASS_ENV="standalone", BASS_HOME=str(local_home))
    services = Services(work)
    t0 = time.time()
    try:
        print("== starting HDFS (a namenode, two datanodes) and Spark standalone (a master, two workers)", flush=True)
        hdfs = services.hdfs()
        master = services.spark()
        cluster_home = f"{hdfs}/bass"
        print(f"   {hdfs}, {master} ({time.time() - t0:.0f} s)", flush=True)

        ctx = get_context("local")   # the check's own session: simulates, copies, compares
        cdr_days, months = timeline(START, 0, MONTHS, 1)
        days = [d.isoformat() for d in cdr_days]
        print(f"== simulating {USERS:,} users, {len(months)} months, {len(days)} CDR days; landing to HDFS", flush=True)
        generate(ctx.spark, ctx.cfg.path("landing"), USERS, START, 0, MONTHS, SEED, ctx.cfg.province,
                 ctx.cfg.path("truth"), days_per_month=1)
        print(f"   simulated ({time.time() - t0:.0f} s)", flush=True)
        ctx.spark.sparkContext._jsc.hadoopConfiguration().set("dfs.replication", "2")
        storage = HadoopStorage(ctx.spark)
        storage.copy(f"file://{ctx.cfg.path('landing')}", f"{cluster_home}/landing")

        print(f"   landing on HDFS ({time.time() - t0:.0f} s)", flush=True)
        steps = batches(days, months)
        # conf/standalone.yml as it is, but for Delta's state rebuilt in 50 tasks, which a province
        # of 1,000 users does not need; the driver's memory is given to spark-submit (its JVM
        # starts before the configuration is read)
        memory = ("--driver-memory 4g --conf spark.hadoop.dfs.replication=2 "
                  "--conf spark.databricks.delta.snapshotPartitions=2")
        print("== the batches on one machine (local[2], BASS_HOME on the local disk)", flush=True)
        local_s = submit("local", str(local_home), f"--master local[2] {memory}", work, steps=steps)
        print(f"== the same batches on the cluster ({master}, BASS_HOME={cluster_home})", flush=True)
        cluster_s = submit("cluster", cluster_home,
                           f"--master {master} --executor-memory 2g {memory} --conf spark.hadoop.fs.defaultFS={hdfs}",
                           work, {"BASS_TRACKING_URI": f"sqlite:///{work}/cluster-mlflow.db"}, steps)

        print("== comparing", flush=True)
        from bass.core.config import load_config
        local_cfg = load_config("standalone")
        os.environ["BASS_HOME"] = cluster_home
        cluster_cfg = load_config("standalone")
        same, problems, scored = compare_tables(ctx.spark, local_cfg, cluster_cfg, model_outputs())
        lists = {load_registry()[t].deliver for t in model_outputs() if t in load_registry()} - {None}
        files, outbox_problems = compare_outbox(ctx.spark, local_cfg.path("outbox"), cluster_cfg.path("outbox"), lists)
        problems += outbox_problems + on_hdfs(ctx.spark, cluster_home)
        for p in problems:
            print("FAILED: " + p)
        result = {"tables_equal": len(same), "tables_scored_by_both": len(scored), "outbox_files_equal": files,
                  "problems": len(problems),
                  "local_seconds": round(local_s), "cluster_seconds": round(cluster_s),
                  "total_seconds": round(time.time() - t0)}
        print(f"   {len(same)} tables hold the same rows in both runs: " + ", ".join(same))
        print(f"   {len(scored)} tables scored by each run's own models, written by both: " + ", ".join(scored))
        print(json.dumps(result))
        print("cluster-test: " + ("the cluster run on HDFS built the same tables and files as the local run"
                                  if not problems and same else f"{len(problems)} problem(s)"))
        return 1 if problems or not same else 0
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
