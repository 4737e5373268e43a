"""`bass demo`: simulate a small province, backfill the daily and monthly batches, train the
model families (MLflow champions), run the scoring batch for the last
month (scores, value, segments, the BOSS retention list and its file), re-rate the tariffs, run a
what-if and a survey round trip of the proposed plans and the sales-assist tasks, build the
monthly profiles for BOSS and the headquarters, show the result."""
from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from pyspark.sql import functions as F

from bass.core.grain import add_months
from bass.core.registry import load_registry
from bass.core.session import Context
from bass.devkit.churn_truth import bayes_optimal
from bass.devkit.printout import batch_line, delivered, planted_profile_lines, summary
from bass.devkit.simulator.generate import generate, timeline
from bass.ml.families import family
from bass.ml.training import train
from bass.orchestration.pipeline import run_pipeline
from bass.reports.business import business_report
from bass.reports.daily import daily_report


def run_demo(ctx: Context, users: int, start: dt.date, days: int, months: int, seed: int, cdr_days_per_month: int = 0) -> bool:
    t0 = time.time()
    landing = ctx.cfg.path("landing")
    cdr_days, bill_months = timeline(start, days, months, cdr_days_per_month)
    print(f"== 1/4 simulating {users:,} users, {len(cdr_days)} CDR days ({cdr_days[0]}..{cdr_days[-1]}), "
          f"{months} billing months -> {landing}")
    generate(ctx.spark, landing, users, start, days, months, seed, ctx.cfg.province, ctx.cfg.path("truth"),
             days_per_month=cdr_days_per_month)
    print(f"   done in {time.time() - t0:.0f}s")
    ok = True
    print("== 2/4 running the batches (one backfill per pipeline)")
    ok &= batch_line(f"daily {cdr_days[0]}..{cdr_days[-1]}", run_pipeline(ctx, "daily", [d.isoformat() for d in cdr_days]))
    ok &= batch_line(f"monthly {bill_months[0]}..{bill_months[-1]}", run_pipeline(ctx, "monthly", bill_months))
    if ok:
        print(f"== 3/4 mining models (after {time.time() - t0:.0f}s)")
        ok &= _models(ctx, bill_months[-1])
    if ok:
        print(f"   business report {bill_months[-1]}: {Path(business_report(ctx, bill_months[-1])).as_uri()}")
        print(f"   daily report {cdr_days[-1]}: {Path(daily_report(ctx, cdr_days[-1].isoformat())).as_uri()}")
        print(f"== tariffs and the front desk (after {time.time() - t0:.0f}s)")
        ok &= _tariffs(ctx, bill_months[-2:])
    if ok:
        print(f"== profiles for BOSS and the headquarters (after {time.time() - t0:.0f}s)")
        ok &= _profiles(ctx, bill_months[-1])
    print(f"== 4/4 what it produced (after {time.time() - t0:.0f}s)")
    print(summary(ctx))
    return ok


def _models(ctx: Context, month: str) -> bool:
    """Train every model family (champion if better), then the scoring batch for `month`."""
    try:
        runs = train(ctx.with_overrides({"ml.churn.candidates": ctx.cfg.get("demo.churn_candidates")}))
    except ValueError as exc:       # too few months with known labels
        print(f"   not trained: {exc}")
        return True
    for name, run in runs.items():
        facts = family(name).describe(run)
        lists = {k: v for k, v in facts.items() if isinstance(v, list)}
        print(f"   {name}: " + ", ".join(f"{k} {v}" for k, v in facts.items() if k not in lists)
              + f" ({'new champion' if run.promoted else 'not promoted'})")
        for k, items in lists.items():
            print(f"     {k}:" + "".join(f"\n       {x}" for x in items))
    for run in getattr(runs.get("churn"), "runs", []):     # the simulated province knows the best possible ranking
        best = bayes_optimal(ctx, run.test_df, run.windows.test_month, run.horizon)["roc_auc"]
        print(f"   churn h{run.horizon} on {run.windows.test_month}: ROC-AUC {run.metrics['roc_auc']:.3f}, Bayes-optimal "
              f"(the simulator's own hazard) {best:.3f}, the tenure/arrears rule {run.baseline_auc:.3f}")
    months = [add_months(month, -1), month]   # the month before too: the sales tasks of the last day read it
    ok = batch_line(f"scoring {months[0]}..{month}", run_pipeline(ctx, "scoring", months))
    if ok:
        print(f"   retention list {month} (out.boss_retention_m, largest expected loss first):")
        for r in (ctx.spark.table("out.boss_retention_m").where(F.col("batch_month") == month)
                  .orderBy("list_rank").limit(3).collect()):
            print(f"     {r.list_rank:>3} {r.msisdn} {r.value_tier} ARPU {float(r.arpu or 0):.1f} "
                  f"p={float(r.churn_prob):.2f} [{r.segment_desc}] {r.churn_reason}")
    return ok


def _tariffs(ctx: Context, months: list[str]) -> bool:
    """Re-rating and plan fit, the what-if of the proposals, a survey round trip with BOSS (the
    simulator answers) and the sales-assist tasks of the last month's last day."""
    from bass.devkit.simulator.survey import answer
    from bass.marts.tariff import survey, whatif
    from bass.marts.tariff.catalogue import load_proposals
    month = months[-1]
    if not batch_line(f"tariff {months[0]}..{month}", run_pipeline(ctx, "tariff", months)):
        return False
    [check] = (ctx.spark.table("meta.dq_result").where((F.col("check_name") == "rerate_current_vs_bill") & (F.col("batch") == month))
               .orderBy(F.desc("checked_at")).limit(1).collect())
    print(f"   rating engine, current plans vs bills {month}: {check.observed}, {check.expected} ({check.status})")
    proposals = list(load_proposals().values())
    print(f"   what-if of {', '.join(p.id for p in proposals)} on {month} (dm.tariff_whatif_m):")
    print("\n".join("     " + line for line in whatif.side_by_side(whatif.simulate(ctx, proposals, month).collect()).splitlines()))
    p = proposals[0]
    done = survey.sample(ctx, p, month, 300)
    print(f"   survey {done['survey_id']}: {done['sampled']} users in {done['strata']} strata -> outbox {done['file']}")
    answer(ctx.spark, ctx.cfg.path("outbox"), ctx.cfg.path("landing"), ctx.cfg.path("truth"), ctx.cfg.province, month)
    if not batch_line(f"survey {month}", run_pipeline(ctx, "survey", month)):
        return False
    [ev] = ctx.spark.table("dm.survey_eval_m").where((F.col("survey_id") == done["survey_id"]) & (F.col("stratum") == "ALL")).collect()
    truth = json.loads((Path(ctx.cfg.path("truth")) / f"survey_{done['survey_id']}.json").read_text())
    print(f"   BOSS reached {ev.reached} of {ev.sampled}, {ev.accepted} said yes: acceptance {ev.acceptance:.3f} "
          f"[{ev.acceptance_lo:.3f}, {ev.acceptance_hi:.3f}] (planted {truth['planted_acceptance_of_listed']:.3f}); "
          f"projected adopters {ev.projected_adopters:.0f} of {ev.stratum_users} vs the what-if's {ev.whatif_adopters:.0f}")
    fit = survey.fit_adoption(ctx, p)
    if fit:
        print(f"   adoption fitted to the answers: intercept {fit['intercept']}, saving {fit['saving']} "
              f"(planted {truth['intercept']}, {truth['saving']})")
        rows = whatif.simulate(ctx, [p], month, {p.id: fit}).collect()
        print("\n".join("     " + line for line in whatif.side_by_side(rows).splitlines()))
    last_day = (dt.date.fromisoformat(month + "-01") + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    if not batch_line(f"sales tasks {last_day}", run_pipeline(ctx, "sales", [last_day.isoformat()])):
        return False
    counts = (ctx.spark.table("out.sales_task_d").where(F.col("batch_date") == last_day)
              .groupBy("task_type", "task_subtype").count().orderBy("task_type", "task_subtype").collect())
    print(f"   sales-assist tasks {last_day} (out.sales_task_d): " + ", ".join(f"{r.task_type}/{r.task_subtype} {r['count']}" for r in counts))
    return True


def _profiles(ctx: Context, month: str) -> bool:
    """The monthly profiles, each a table and a BOSS file; the SP ranking and the group warnings."""
    status = run_pipeline(ctx, "profiles", [month])
    if not batch_line(f"profiles {month}", status):
        return False
    spark = ctx.spark
    registry = load_registry()
    for name in delivered(status, registry):
        rows = spark.table(name).where(F.col("batch_month") == month).count()
        print(f"   {name:<24} {rows:>7,d} rows -> outbox/{registry[name].deliver}/")
    top = spark.table("out.sp_eval_m").where(F.col("batch_month") == month).orderBy("sp_rank").limit(3).collect()
    print("   SP ranking: " + "; ".join(f"{r.sp_rank}. {r.sp_name} {r.service_name} ({r.users} users, {float(r.revenue):.0f} yuan"
                                         + (f", {r.warning}" if r.warning else "") + ")" for r in top))
    warned = spark.table("out.group_eval_m").where((F.col("batch_month") == month) & F.col("warning").isNotNull())
    print(f"   group churn warnings: {warned.count()}" + "".join(f"\n     {r.group_name}: {r.warning}" for r in warned.limit(3).collect()))
    channels = spark.table("out.channel_eval_m").where((F.col("batch_month") == month) & F.col("warning").isNotNull())
    print(f"   agent-channel warnings: {channels.count()}"
          + "".join(f"\n     {r.risk_rank}. {r.channel_name}: {r.warning}" for r in channels.orderBy("risk_rank").limit(3).collect()))
    for line in planted_profile_lines(ctx, month):
        print(line)
    return True


