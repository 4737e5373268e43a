"""Profiles checked against what the simulator planted (its truth folder, outside the BOSS
deliveries): the dishonest agent channels and the competitor SIMs. Used by the demo; meaningless on real data, where
there is no truth folder."""
from __future__ import annotations

from pathlib import Path

from pyspark.sql import functions as F


def channel_check(ctx, month: str) -> dict | None:
    """Precision and recall of the month's channel warnings (out.channel_eval_m) against the
    channels where the simulator opened fake numbers; None without a truth folder."""
    path = Path(ctx.cfg.path("truth"), "churn_truth")
    if not path.exists():
        return None
    planted = {r.channel_id for r in ctx.spark.read.csv(str(path), header=True)
               .where(F.col("fake") == "true").select("channel_id").distinct().collect()}
    month_rows = ctx.spark.table("out.channel_eval_m").where(F.col("batch_month") == month)
    flagged = {r.channel_id for r in month_rows.where(F.col("warning").isNotNull()).select("channel_id").collect()}
    ranks = sorted(r.risk_rank for r in month_rows.where(F.col("channel_id").isin(sorted(planted))).collect())
    hit = planted & flagged
    return {"planted": sorted(planted), "flagged": sorted(flagged),
            "precision": len(hit) / len(flagged) if flagged else None,
            "recall": len(hit) / len(planted) if planted else None, "planted_risk_ranks": ranks}


def second_sim_check(ctx, month: str, min_score: int = 2) -> dict | None:
    """Precision and recall of the terminal profile's competitor-SIM score (at least `min_score`
    signs) against the users who took a competitor's SIM in the month; None without a truth folder."""
    path = Path(ctx.cfg.path("truth"), "churn_truth")
    if not path.exists():
        return None
    first = F.to_date(F.lit(month + "-01"))
    took = (ctx.spark.read.csv(str(path), header=True)
            .where(F.to_date("rival_sim_day").between(first, F.last_day(first))).select("msisdn").distinct())
    profile = ctx.spark.table("out.terminal_profile_m").where(F.col("batch_month") == month)
    flagged = profile.where(F.col("second_sim_score") >= min_score).select("msisdn")
    seen = took.join(profile.select("msisdn"), "msisdn")        # the ones with a handset in the month's CDRs
    hit = flagged.join(took, "msisdn").count()
    n_flagged, n_seen = flagged.count(), seen.count()
    return {"planted": took.count(), "with_cdrs": n_seen, "flagged": n_flagged,
            "precision": hit / n_flagged if n_flagged else None, "recall": hit / n_seen if n_seen else None}
