"""`make airflow-test`: the generated DAGs run the real steps under Airflow, end to end.

On a small simulated province (its own BASS_HOME), the months before the last are run and the
models trained with BASS directly; then `airflow dags test` (Airflow's own virtualenv) runs the
daily DAG (daily batch and sales-assist tasks) for the last CDR day and the monthly DAG (monthly
batch, tariffs and scoring) for the last month, and BASS checks what they wrote: every step of
those batches succeeded, the tables have the new batch, the retention file is in the outbox,
and the run, being long past its deadline, was recorded late.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from pyspark.sql import functions as F

from bass.core.grain import add_months
from bass.core.session import Context, get_context, register_all
from bass.core.status import Status
from bass.devkit.printout import batch_line
from bass.devkit.simulator.generate import generate, timeline
from bass.ml.training import train
from bass.ops.airflow.plan import dag_plans, export
from bass.orchestration.pipeline import run_pipeline

START = dt.date(2026, 1, 1)


def prepare(ctx: Context, users: int, months: int) -> tuple[str, str]:
    """Simulate the province and run everything before the last CDR day and month."""
    generate(ctx.spark, ctx.cfg.path("landing"), users, START, 0, months, 42, ctx.cfg.province,
             ctx.cfg.path("truth"), days_per_month=1)
    days, bill_months = timeline(START, 0, months, 1)
    days = [d.isoformat() for d in days]
    ok = batch_line("daily", run_pipeline(ctx, "daily", days[:-1]))
    ok &= batch_line("monthly", run_pipeline(ctx, "monthly", bill_months[:-1]))
    ok &= batch_line("tariff", run_pipeline(ctx, "tariff", bill_months[:-1]))
    if not ok:
        raise SystemExit("the preparation failed")
    train(ctx.with_overrides({"ml.churn.candidates": ctx.cfg.get("demo.churn_candidates")}))
    # the closed month the daily DAG's sales-assist tasks read: scored like the monthly DAG would have
    if not batch_line("scoring", run_pipeline(ctx, "scoring", bill_months[-2])):
        raise SystemExit("the preparation failed")
    return days[-1], bill_months[-1]


def airflow(venv: Path, env: dict, *args: str) -> None:
    cmd = [str(venv / "bin" / "airflow"), *args]
    print("$ " + " ".join(cmd), flush=True)
    log = Path(env["AIRFLOW_HOME"]) / f"{'-'.join(args[:3])}.log"
    with log.open("w") as out:
        code = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if code:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise SystemExit(f"{' '.join(args)} failed ({log}):\n{tail}")


def check(ctx: Context, since: dt.datetime, day: str, month: str, alerts: Path) -> list[str]:
    """What the DAG runs must have written (since they started); returns the problems."""
    spark = ctx.spark
    register_all(spark, ctx.cfg)
    ran = {r.job for r in spark.table("meta.job_run").where(
        (F.col("started_at") >= F.lit(since)) & F.col("status").isin(Status.SUCCESS, Status.SKIPPED)).select("job").collect()}
    problems = [f"{dag['dag_id']} {t['task_id']}: no successful run"
                for dag in dag_plans(ctx.cfg) if dag["dag_id"] in ("bass_daily", "bass_monthly")
                for t in dag["tasks"] if t["step"] not in ran]
    for table, col, value in [("dm.kpi_d", "batch_date", day), ("dm.kpi_m", "batch_month", month),
                              ("dm.churn_score_m", "batch_month", month), ("out.boss_retention_m", "batch_month", month),
                              ("dm.plan_fit_m", "batch_month", month), ("out.sales_task_d", "batch_date", day),
                              ("out.value_list_m", "batch_month", month), ("out.hq_kpi_m", "batch_month", month)]:
        if not spark.table(table).where(F.col(col) == F.lit(value).cast(spark.table(table).schema[col].dataType)).limit(1).count():
            problems.append(f"{table} has no {value}")
    if not list(Path(ctx.cfg.path("outbox")).glob(f"boss_retention_m/*_{month.replace('-', '')}_*.verf")):
        problems.append(f"no BOSS retention file for {month} in the outbox")
    late = [json.loads(line) for line in alerts.read_text().splitlines()] if alerts.exists() else []
    if not any(a["kind"] == "late" and a["dag_id"] == "bass_daily" for a in late):
        problems.append(f"the daily run was not recorded late in {alerts}")
    return problems


def main() -> int:
    home = Path(os.environ["BASS_HOME"]).resolve()
    venv = Path(sys.argv[1]).resolve()
    ctx = get_context()
    day, month = prepare(ctx, users=1000, months=6)
    dags = export(ctx.cfg, home / "airflow" / "dags")
    env = {**os.environ, "AIRFLOW_HOME": str(home / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow(venv, env, "db", "migrate")
    tz = ZoneInfo(ctx.cfg.get("airflow.timezone"))
    since = dt.datetime.now()
    # the logical dates of the scheduled runs that take these batches (airflow.dags: lag 1)
    daily_run = dt.datetime.combine(dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(2), tz)
    monthly_run = dt.datetime.combine(dt.date.fromisoformat(add_months(month, 1) + "-03"), dt.time(3), tz)
    airflow(venv, env, "dags", "test", "bass_daily", daily_run.isoformat())
    airflow(venv, env, "dags", "test", "bass_monthly", monthly_run.isoformat())
    problems = check(ctx, since, day, month, home / "alerts" / "airflow.jsonl")
    for p in problems:
        print("FAILED: " + p)
    print("airflow-test: " + ("the daily and monthly DAGs ran the real jobs end to end" if not problems else
                              f"{len(problems)} problem(s)") + f" (batches {day} and {month})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
