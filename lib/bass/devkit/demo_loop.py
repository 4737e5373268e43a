"""`bass demo-loop`: the closed loop with BOSS, month by month, on a small simulated province.

Simulate the first months, run their batches and train the models; then each month in turn:
score and deliver the campaigns' lists (scoring batch), let BOSS act on them (the simulator
advances a month: feedback files plus the next month's deliveries, with the planted treatment
effects), run the new month's batches, load the feedback and evaluate (feedback batch). Prints
each campaign's measured uplift next to the planted effect (truth/campaign_effect.csv)."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.core.grain import add_months
from bass.core.session import Context
from bass.devkit.printout import batch_line
from bass.devkit.simulator import boss
from bass.devkit.simulator.generate import Simulation, advance, generate, timeline
from bass.ml.training import train
from bass.orchestration.pipeline import run_pipeline

LOOP = ("scoring", "feedback")   # the loop's daily and monthly batches build only what these read (no KPIs)
BUDGETS = (0.3, 0.5)             # the shares of each month's eligible users a retention budget contacts


def run_loop(ctx: Context, users: int, start: dt.date, warmup: int, loops: int, seed: int, cdr_days: int) -> bool:
    t0 = time.time()
    landing, truth = ctx.cfg.path("landing"), ctx.cfg.path("truth")
    print(f"== simulating {users:,} users, {warmup} months (CDRs on the last {cdr_days} day(s) of each), "
          f"{loops} more to come month by month -> {landing}")
    generate(ctx.spark, landing, users, start, 0, warmup, seed, ctx.cfg.province, truth, days_per_month=cdr_days,
             horizon_months=warmup + loops + 1)
    days, months = timeline(start, 0, warmup, cdr_days)
    ok = batch_line("daily", run_pipeline(ctx, "daily", [d.isoformat() for d in days], serving=LOOP))
    ok &= batch_line("monthly", run_pipeline(ctx, "monthly", months, serving=LOOP))
    if not ok:
        return False
    ctx = ctx.with_overrides({"ml.churn.candidates": ctx.cfg.get("demo.loop_churn_candidates"),
                              "ml.churn.horizons": [1]})      # the campaigns' outcomes are one month; H=3 waits
    train(ctx)
    print(f"   models trained (after {time.time() - t0:.0f}s)")
    month = months[-1]
    for _ in range(loops):
        print(f"== {month}: lists to BOSS, BOSS acts in {add_months(month, 1)}, feedback and evaluation "
              f"(after {time.time() - t0:.0f}s)")
        if not loop_month(ctx, month):
            return False
        month = add_months(month, 1)
    print(f"== measured uplift against the planted effect (after {time.time() - t0:.0f}s)")
    print(uplift_table(ctx))
    print(care_table(ctx))
    print(targeting(ctx, month))
    print(f"   evaluation tables: dm.campaign_eval_m, dm.care_eval_m, dm.churn_model_eval_m, mid.campaign_response_m; "
          f"reports: {ctx.cfg.path('reports')}/campaigns/")
    return ok


def targeting(ctx: Context, month: str) -> str:
    """Risk against uplift targeting of the retention campaign's eligible users (those over its
    churn cut, whom the uplift model learnt from), with budgets of 30 % and half of them, judged
    by the planted truth; summed over every list month with uplift scores (`month`'s list is
    built first), since one month's hundred-odd contacts decide little."""
    run_pipeline(ctx, "scoring", month)
    spark = ctx.spark
    pools = (spark.table("out.campaign_target_m").where(F.col("campaign_id") == "retention")
             .select("user_id", "batch_month"))
    scored = (spark.table("dm.churn_score_m").select("user_id", "batch_month", "churn_prob")
              .join(spark.table("dm.uplift_score_m").select("user_id", "batch_month", "uplift"), ["user_id", "batch_month"])
              .join(pools, ["user_id", "batch_month"]))
    months = sorted(r[0] for r in scored.select("batch_month").distinct().collect())
    if not months:
        return "   no uplift scores yet: run more months"
    orderings = {"risk": "churn_prob", "uplift": "uplift"}
    prevented = {share: {"contacts": 0, "risk": 0.0, "uplift": 0.0} for share in BUDGETS}
    for m in months:
        pool = scored.where(F.col("batch_month") == m).select("user_id", "churn_prob", "uplift")
        rows = boss.retention_gain(spark, ctx.cfg.path("truth"), m, pool).withColumn(
            "n", F.count(F.lit(1)).over(Window.partitionBy()))      # a pool: a few hundred rows
        for by, col in orderings.items():
            rows = rows.withColumn(f"rank_{by}", F.row_number().over(Window.orderBy(F.desc(col), "user_id")))
        sums = rows.agg(F.max("n").alias("n"), *[
            F.sum(F.when(F.col(f"rank_{by}") <= F.floor(F.col("n") * share), F.col("gain")).otherwise(0.0)).alias(f"{by}_{i}")
            for i, share in enumerate(BUDGETS) for by in orderings]).first()      # one pass per month
        for i, (share, got) in enumerate(prevented.items()):
            got["contacts"] += int(sums.n * share)
            for by in orderings:
                got[by] += sums[f"{by}_{i}"]
    lines = [f"   retention lists of {months[0]}..{months[-1]}, churners prevented (planted truth) when a budget "
             f"contacts a share of each month's eligible users:"]
    for share, got in prevented.items():
        k, risk, up = got["contacts"], got["risk"], got["uplift"]
        lines.append(f"   {share:.0%} contacted ({k} contacts): risk targeting {risk:.1f} ({risk / k * 1000:.0f} per "
                     f"1,000 contacts), uplift targeting {up:.1f} ({up / k * 1000:.0f} per 1,000), "
                     f"{(up - risk) / max(risk, 1e-9):+.0%}")
    return "\n".join(lines)


def loop_month(ctx: Context, month: str) -> bool:
    """One turn of the loop: the lists of `month`, BOSS acting on them in the next month (the
    simulator), the next month's batches, the feedback on the lists and their evaluation, and the
    uplift model relearnt from every list with known outcomes."""
    ok = batch_line(f"scoring {month}", run_pipeline(ctx, "scoring", month))
    if not ok:
        return False
    advance(ctx.spark, ctx.cfg.path("landing"), ctx.cfg.path("outbox"), ctx.cfg.path("truth"), 1)
    nxt = add_months(month, 1)
    sim = Simulation.load(ctx.cfg.path("truth"))
    days = [d.isoformat() for d in timeline(sim.start_date, 0, sim.months, sim.days_per_month)[0] if d.strftime("%Y-%m") == nxt]
    ok = batch_line(f"daily {nxt}", run_pipeline(ctx, "daily", days, serving=LOOP)) if days else True
    ok &= batch_line(f"monthly {nxt}", run_pipeline(ctx, "monthly", nxt, serving=LOOP))
    ok &= batch_line(f"feedback {month}", run_pipeline(ctx, "feedback", month))
    if ok:
        up = train(ctx, ("uplift",))["uplift"]
        print("   uplift model: " + (up.skipped or f"Qini coefficient {up.metrics['qini_coefficient']:.4f} on {up.test}"
                                     f" ({'new champion' if up.promoted else 'not promoted'})"))
    return ok


def uplift_table(ctx: Context) -> str:
    """Per campaign and list month: the measured uplift with its interval next to the planted effect."""
    planted = planted_effects(ctx.cfg.path("truth"))
    rows = ctx.spark.table("dm.campaign_eval_m").orderBy("campaign_id", "batch_month").collect()
    lines = [f"   {'campaign':<16} {'month':<8} {'treated':>7} {'control':>7} {'resp':>6} {'churn T':>8} {'churn C':>8} "
             f"{'uplift':>7} {'95% CI':>17} {'planted':>8} {'covered':>7} {'incr. rev':>10}"]
    for r in rows:
        truth = planted.get((r.campaign_kind, r.batch_month))
        covered = "" if truth is None else ("yes" if r.uplift_ci_low <= truth <= r.uplift_ci_high else "NO")
        lines.append(f"   {r.campaign_id:<16} {r.batch_month:<8} {r.treated:>7} {r.control:>7} "
                     f"{(r.response_rate or 0):>6.1%} {r.churn_treated:>8.2%} {r.churn_control:>8.2%} {r.uplift:>+7.2%} "
                     f"[{r.uplift_ci_low:>+7.2%},{r.uplift_ci_high:>+7.2%}] "
                     f"{'' if truth is None else f'{truth:+.2%}':>8} {covered:>7} {r.incremental_revenue:>10,.0f}")
    return "\n".join(lines)


def care_table(ctx: Context) -> str:
    """Per care action, segment and list month: the measured satisfaction uplift with its interval
    next to the planted one (truth/care_satisfaction.csv), and loyalty and complaints."""
    path = Path(ctx.cfg.path("truth")) / boss.SATISFACTION
    planted = {} if not path.exists() else {
        (r.list_month, r.action, r.segment_desc): r.effect for r in pd.read_csv(path, keep_default_na=False).itertuples()}
    rows = ctx.spark.table("dm.care_eval_m").orderBy("batch_month", "action_code", "segment_desc").collect()
    lines = ["   care: satisfaction (1-5) treated against control, by action and segment",
             f"   {'month':<8} {'action':<17} {'segment':<44} {'surveyed':>9} {'sat T':>5} {'sat C':>5} {'uplift':>6} "
             f"{'95% CI':>15} {'planted':>7} {'covered':>7} {'churn T/C':>11} {'kept T/C':>9} {'cmpl T/C':>9}"]
    for r in rows:
        truth = planted.get((r.batch_month, r.action_code, r.segment_desc))
        ci = "" if r.satisfaction_ci_low is None else f"[{r.satisfaction_ci_low:+.2f},{r.satisfaction_ci_high:+.2f}]"
        covered = "" if truth is None or not ci else ("yes" if r.satisfaction_ci_low <= truth <= r.satisfaction_ci_high else "NO")
        f2 = lambda x, fmt: "" if x is None else format(x, fmt)  # noqa: E731
        lines.append(f"   {r.batch_month:<8} {r.action_code:<17} {r.segment_desc[:44]:<44} "
                     f"{r.surveyed_treated:>4}/{r.surveyed_control:<4} {f2(r.satisfaction_treated, '.2f'):>5} "
                     f"{f2(r.satisfaction_control, '.2f'):>5} {f2(r.satisfaction_uplift, '+.2f'):>6} {ci:>15} "
                     f"{'' if truth is None else f'{truth:+.2f}':>7} {covered:>7} "
                     f"{f2(r.churn_treated, '.0%'):>5}/{f2(r.churn_control, '.0%'):<5} "
                     f"{f2(r.arpu_kept_treated, '.2f'):>4}/{f2(r.arpu_kept_control, '.2f'):<4} "
                     f"{f2(r.complaints_treated, '.2f'):>4}/{f2(r.complaints_control, '.2f'):<4}")
    return "\n".join(lines)


def planted_effects(truth: str) -> dict:
    """(campaign kind, list month) -> the planted effect on churn over the listed users."""
    path = Path(truth) / boss.EFFECTS
    if not path.exists():
        return {}
    df = pd.read_csv(path)
    df["weighted"] = df["effect"] * df["listed"]
    g = df.groupby(["kind", "list_month"])[["weighted", "listed"]].sum()
    return {k: row.weighted / row.listed for k, row in g.iterrows()}
