"""Profiles checked against what the simulator planted (its truth folder, outside the BOSS
deliveries): the dishonest agent channels, the handsets shared by two of our numbers and the
competitor SIMs. Used by the demo; meaningless on real data, where
there is no truth folder."""
from __future__ import annotations

from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def _truth(ctx) -> DataFrame | None:
    """The simulator's per-user truth (truth/churn_truth), or None where there is none (real data)."""
    path = Path(ctx.cfg.path("truth"), "churn_truth")
    return ctx.spark.read.csv(str(path), header=True) if path.exists() else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def channel_check(ctx, month: str) -> dict | None:
    """Precision and recall of the month's channel warnings (out.channel_eval_m) against the
    channels where the simulator opened fake numbers; None without a truth folder."""
    truth = _truth(ctx)
    if truth is None:
        return None
    planted = {r.channel_id for r in truth
               .where(F.col("fake") == "true").select("channel_id").distinct().collect()}
    month_rows = ctx.spark.table("out.channel_eval_m").where(F.col("batch_month") == month)
    flagged = {r.channel_id for r in month_rows.where(F.col("warning").isNotNull()).select("channel_id").collect()}
    ranks = sorted(r.risk_rank for r in month_rows.where(F.col("channel_id").isin(sorted(planted))).collect())
    hit = planted & flagged
    return {"planted": sorted(planted), "flagged": sorted(flagged),
            "precision": _share(len(hit), len(flagged)),
            "recall": _share(len(hit), len(planted)), "planted_risk_ranks": ranks}


def second_sim_check(ctx, month: str, min_score: int = 2) -> dict | None:
    """Precision and recall of the terminal profile's competitor-SIM score (at least `min_score`)
    against the users in the profile who hold a competitor's SIM by the month's end (the
    simulator's truth), and the recall among those who took it at least a month before: the
    score needs two months of collapsed calls, so a SIM taken this month shows next month.
    None without a truth folder."""
    truth = _truth(ctx)
    if truth is None:
        return None
    first = F.to_date(F.lit(month + "-01"))
    held = (truth.where(F.to_date("rival_sim_day") <= F.last_day(first))
            .select("msisdn", (F.to_date("rival_sim_day") < F.add_months(first, -1)).alias("settled")))
    profile = ctx.spark.table("out.terminal_profile_m").where(F.col("batch_month") == month)
    scored = (profile.select("msisdn", (F.col("second_sim_score") >= min_score).alias("flagged"))
              .join(held, "msisdn", "left").groupBy().agg(
                  F.count_if("flagged").alias("flagged"), F.count("settled").alias("holders"),
                  F.count_if(F.col("flagged") & F.col("settled").isNotNull()).alias("hit"),
                  F.count_if("settled").alias("settled"), F.count_if(F.col("flagged") & F.col("settled")).alias("settled_hit"))
              .first())
    return {"holders": scored.holders, "flagged": scored.flagged, "precision": _share(scored.hit, scored.flagged),
            "recall": _share(scored.hit, scored.holders), "recall_settled": _share(scored.settled_hit, scored.settled)}


def multi_sim_check(ctx, month: str) -> dict | None:
    """Precision and recall of the terminal profile's multi-SIM flag (two or more of our numbers
    in one handset in the last 3 months) against the users of the month's profile whom the
    simulator gave a handset shared with another of our numbers; None without a truth folder."""
    truth = _truth(ctx)
    if truth is None:
        return None
    planted = truth.select("msisdn", (F.col("multi_sim") == "true").alias("planted"))
    profile = ctx.spark.table("out.terminal_profile_m").where(F.col("batch_month") == month)
    r = (profile.select("msisdn", (F.col("multi_sim") == "Y").alias("flagged")).join(planted, "msisdn", "left")
         .groupBy().agg(F.count_if("flagged").alias("flagged"), F.count_if("planted").alias("planted"),
                        F.count_if(F.col("flagged") & F.col("planted")).alias("hit")).first())
    return {"planted": r.planted, "flagged": r.flagged, "precision": _share(r.hit, r.flagged),
            "recall": _share(r.hit, r.planted)}
