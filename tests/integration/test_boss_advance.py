"""The simulator playing BOSS month by month: it reads the lists in the outbox, acts on them,
plants the treatment effects, delivers feedback with .verf and the next month; deterministic
for a seed and the same outbox; a feedback delivery with a bad .verf is refused."""
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from pyspark.sql import functions as F

from bass.boss.delivery import DeliveryError
from bass.boss.writer import write_delivery
from bass.core.batch import Batch
from bass.core.interfaces import interface
from bass.devkit.simulator import boss
from bass.devkit.simulator.generate import Simulation, advance, generate
from bass.devkit.simulator.population import population
from bass.orchestration.runs import run_step
from tests.conftest import context_for

USERS, START = 400, dt.date(2026, 1, 1)


def _retention_list(ctx, home: Path, month: str, msisdns: list[str]) -> None:
    spec = interface("boss_retention_m")
    rows = [dict(list_rank=i + 1, msisdn=m, analysis_month=month, churn_prob=Decimal("0.5")) for i, m in enumerate(msisdns)]
    df = ctx.spark.createDataFrame([tuple(r.get(f.name) for f in spec.fields) for r in rows],
                                   ", ".join(f"`{f.name}` {'string' if f.type == 'month' else f.spark_type}" for f in spec.fields))
    write_delivery(df, spec, month, str(home / "outbox"), ctx.cfg.province)


def _advance(ctx, home: Path) -> list:
    return advance(ctx.spark, str(home / "landing"), str(home / "outbox"), str(home / "truth"), 1)


def test_boss_acts_on_the_list_and_the_advance_is_deterministic(spark, tmp_path):
    ctx = context_for(spark, tmp_path / "a")
    home = tmp_path / "a"
    generate(ctx.spark, str(home / "landing"), USERS, START, 0, 2, 9, ctx.cfg.province, str(home / "truth"),
             days_per_month=1, horizon_months=3)
    live = population(ctx.spark, USERS, 9, START, dt.date(2026, 3, 31)).where(
        F.col("churn_date").isNull() | (F.col("churn_date") > F.lit(dt.date(2026, 2, 28))))
    listed = sorted(r.msisdn for r in live.where(F.col("open_date") <= F.lit(dt.date(2026, 2, 28))).limit(150).collect())
    _retention_list(ctx, home, "2026-02", listed)
    shutil.copytree(home, tmp_path / "b")        # the same simulation and outbox, advanced twice
    done = _advance(ctx, home)
    assert done[0]["month"] == "2026-03" and done[0]["lists_of"] == "2026-02"
    assert Simulation.load(str(tmp_path / "a" / "truth")).months == 3
    with pytest.raises(ValueError, match="all are delivered"):
        advance(spark, str(tmp_path / "a" / "landing"), str(tmp_path / "a" / "outbox"), str(tmp_path / "a" / "truth"), 1)

    actions = pd.read_csv(tmp_path / "a" / "truth" / boss.ACTIONS)
    assert len(actions) == 150 and 0.6 < actions.reached.mean() < 0.95 and 0.2 < actions.accepted.mean() < 0.7
    effects = pd.read_csv(tmp_path / "a" / "truth" / boss.EFFECTS)
    assert (effects.effect >= 0).all() and (effects.churn_with <= effects.churn_without).all()   # offers keep users

    # the feedback delivery answers exactly the listed users, with its .verf, and loads
    fb = tmp_path / "a" / "landing" / "fb_retention"
    assert sorted(p.suffix for p in fb.iterdir()) == [".dat", ".verf"]
    run = run_step(ctx, "ods.fb_retention", Batch.of("month", "2026-02"))
    assert run.status == "SUCCESS", run.message
    loaded = ctx.spark.table("ods.fb_retention")
    assert loaded.count() == 150 and loaded.where("handled = 'Y'").count() == int(actions.reached.sum())
    # the next month follows the treatment: month 2026-03 was delivered
    assert list((tmp_path / "a" / "landing" / "bill").glob("bill_*_202603_*.verf"))

    # the same seed and the same outbox give the same deliveries and the same truth
    _advance(context_for(spark, tmp_path / "b"), tmp_path / "b")
    for sub in ("landing/fb_retention", "landing/bill", "landing/user"):
        a = {p.name: p.read_bytes() for p in (tmp_path / "a" / sub).glob("*.dat")}
        b = {p.name: p.read_bytes() for p in (tmp_path / "b" / sub).glob("*.dat")}
        assert a == b and a
    for name in (boss.ACTIONS, boss.EFFECTS, boss.TREATMENTS):
        assert (tmp_path / "a" / "truth" / name).read_text() == (tmp_path / "b" / "truth" / name).read_text()


def test_feedback_with_a_bad_verf_is_refused(spark, tmp_path):
    ctx = context_for(spark, tmp_path)
    spec = interface("fb_care")
    df = ctx.spark.createDataFrame([("care", "2026-02", "13800000001", "Y", None, "DONE", 4)],
                                   "campaign_id string, analysis_month string, msisdn string, executed string, "
                                   "exec_date date, result string, satisfaction int")
    write_delivery(df, spec, "2026-02", ctx.cfg.path("landing"), ctx.cfg.province)
    verf = next((Path(ctx.cfg.path("landing")) / "fb_care").glob("*.verf"))
    verf.write_text(verf.read_text().replace("|1|", "|2|"), encoding="ascii")   # claims two records
    with pytest.raises(DeliveryError, match="has 1 records, the .verf says 2"):
        run_step(ctx, "ods.fb_care", Batch.of("month", "2026-02"))
    assert not ctx.spark.catalog.tableExists("ods.fb_care") or ctx.spark.table("ods.fb_care").count() == 0
    last = ctx.spark.table("meta.job_run").where("job = 'ods.fb_care'").first()
    assert last.status == "FAILED" and "the .verf says 2" in last.message
