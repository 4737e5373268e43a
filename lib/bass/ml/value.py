"""Customer value (客户价值): current value, potential, credit score, a composite score and tier.

- Current value: ARPU (mean actual fee of the last 3 months) and an estimated margin (ARPU less
  the SP's share of VAS fees and the interconnect cost of off-net minutes; rates in conf).
- Potential (发展潜力): revenue of the next 3 months predicted by an MLlib regression trained
  on months whose next 3 bills are loaded (time split like the churn model: the latest such
  month validates). Its error (RMSE, MAE, R², and the RMSE of the naive "3 × ARPU" guess for
  comparison) is logged to MLflow. The model is registered as a champion like churn's.
- Credit score (信用度, 0-100): points off for arrears age, arrears amount, arrears stops and
  unpaid bills (weights in conf ml.value.credit).
- Value score (0-100): weighted mix of the month's margin rank, potential rank and credit; the
  tier cuts the month by value score shares (conf ml.value.tiers).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from pyspark.ml import Pipeline
from pyspark.ml.regression import GBTRegressor, LinearRegression
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.core.grain import add_months
from bass.ml import features, quantiles
from bass.ml.churn.model import NOT_FEATURES
from bass.ml.stages import FeaturePrep
from bass.ml.tracking import Tracker

log = logging.getLogger("bass")
LABEL = "next3_revenue"


@dataclass
class ValueRun:
    run_id: str
    kind: str
    train_months: list
    valid_month: str
    metrics: dict
    champion_rmse: float | None
    promoted: bool


def with_label(spark, wide: DataFrame) -> DataFrame:
    """Wide rows of the months whose next 3 months are billed, of the users who stayed through
    them, with `label` = their revenue: the model predicts what a user brings if retained (what a
    retention list puts at stake), not a forecast already discounted by churn."""
    bills = spark.table("mid.user_bill_m").select("user_id", "batch_month", F.col("bill_act_fee").cast("double").alias("fee"))
    billed = sorted(r[0] for r in bills.select("batch_month").distinct().collect())
    months = [m for m in billed if all(add_months(m, k) in billed for k in (1, 2, 3))]
    if not months:
        return wide.limit(0).withColumn("label", F.lit(None).cast("double"))
    future = (F.col("b.batch_month") > F.col("w.batch_month")) & \
             (F.col("b.batch_month") <= F.date_format(F.add_months(F.to_date(F.concat(F.col("w.batch_month"), F.lit("-01"))), 3), "yyyy-MM"))
    rows = wide.where(F.col("batch_month").isin(months) & (F.col("churn_3m") == F.lit(False)))
    nxt = (rows.select("user_id", "batch_month").alias("w")
           .join(bills.alias("b"), (F.col("w.user_id") == F.col("b.user_id")) & future, "left")
           .groupBy(F.col("w.user_id").alias("user_id"), F.col("w.batch_month").alias("batch_month"))
           .agg(F.coalesce(F.sum("b.fee"), F.lit(0.0)).alias("label")))
    return rows.join(nxt, ["user_id", "batch_month"])


def time_split(labelled: DataFrame, until: str | None, need: str) -> tuple[DataFrame, DataFrame, list, str]:
    """(train, valid, train months, valid month): the latest labelled month (up to `until`)
    validates, the earlier ones train. `need` says what a labelled month is, for the error."""
    if until:
        labelled = labelled.where(F.col("batch_month") <= until)
    months = sorted(r[0] for r in labelled.select("batch_month").distinct().collect())
    if len(months) < 2:
        raise ValueError(f"need at least two months {need} to train and validate; have {months}: load more months")
    return (labelled.where(F.col("batch_month").isin(months[:-1])), labelled.where(F.col("batch_month") == months[-1]),
            months[:-1], months[-1])


def regressors(seed: int) -> dict:
    return {"linear_regression": LinearRegression(featuresCol="features", labelCol="label", regParam=0.1, maxIter=100),
            "gbt": GBTRegressor(featuresCol="features", labelCol="label", maxIter=60, maxDepth=4, stepSize=0.1, seed=seed)}


def errors(scored: DataFrame) -> dict:
    """RMSE, MAE and R² of `prediction`, and the RMSE of the naive guess 3 × ARPU, in one pass."""
    err = F.col("prediction") - F.col("label")
    naive = 3 * F.coalesce(F.col("revenue_avg3"), F.lit(0.0)) - F.col("label")
    r = scored.agg(F.avg(err * err).alias("mse"), F.avg(F.abs(err)).alias("mae"), F.var_pop("label").alias("var"),
                   F.avg(naive * naive).alias("naive_mse"), F.avg("label").alias("mean_label")).first()
    return {"rmse": math.sqrt(r.mse), "mae": r.mae, "r2": 1 - r.mse / r.var if r.var else 0.0,
            "baseline_rmse": math.sqrt(r.naive_mse), "mean_label": r.mean_label}


def train_value(ctx, until: str | None = None) -> ValueRun:
    seed = int(ctx.cfg.get("ml.value.seed", 7))
    train_raw, valid_raw, train_months, valid_month = time_split(
        with_label(ctx.spark, ctx.spark.table("dm.user_wide_m")), until, "whose next 3 months are billed")
    spec = features.detect(train_raw, NOT_FEATURES + ["label"])
    train_df, valid_df = train_raw.cache(), valid_raw.cache()
    fitted = {}
    for kind in tuple(ctx.cfg.get("ml.value.models") or regressors(seed)):
        model = Pipeline(stages=[FeaturePrep.of(spec), *features.stages(spec), features.assembler(spec),
                                 regressors(seed)[kind]]).fit(train_df)
        fitted[kind] = (model, errors(model.transform(valid_df)))
    kind = min(fitted, key=lambda k: fitted[k][1]["rmse"])
    model, m = fitted[kind]
    tracker = Tracker(ctx, "value")
    champion_rmse, promote = tracker.challenge(m["rmse"], lambda champ: errors(champ.transform(valid_df))["rmse"],
                                               higher_is_better=False, relative=True, baseline=m["baseline_rmse"])
    run_id = tracker.log_run(
        params={"model": kind, "label": LABEL, "train_months": ",".join(train_months), "valid_month": valid_month,
                "features": len(spec.names()), "seed": seed},
        metrics={**m, **{f"candidate_rmse_{k}": v[1]["rmse"] for k, v in fitted.items()}}, artifacts={},
        model=model, promote=promote)
    train_df.unpersist()
    valid_df.unpersist()
    log.info("value model %s: valid %s RMSE %.2f (naive %.2f, champion %s) -> %s", kind, valid_month, m["rmse"],
             m["baseline_rmse"], "none" if champion_rmse is None else f"{champion_rmse:.2f}",
             "champion" if promote else "not promoted" + (" (no better than 3 x ARPU)"
                                                          if m["rmse"] >= m["baseline_rmse"] else ""))
    return ValueRun(run_id, kind, train_months, valid_month, m, champion_rmse, promote)


def credit_score(cfg) -> F.Column:
    """信用度 0-100 from arrears age, arrears amount against ARPU, arrears stops and unpaid bills."""
    c = cfg.get("ml.value.credit")
    arrears_days = F.coalesce(F.col("arrears_days"), F.lit(0.0))
    arrears_ratio = F.coalesce(F.col("arrears_amt"), F.lit(0.0)) / F.greatest(F.coalesce(F.col("revenue_avg3"), F.lit(0.0)), F.lit(10.0))
    unpaid = 1 - F.least(F.coalesce(F.col("pay_ratio"), F.lit(1.0)), F.lit(1.0))
    points = (F.lit(100.0)
              - F.least(arrears_days * c["per_arrears_day"], F.lit(float(c["arrears_days_max"])))
              - F.least(arrears_ratio, F.lit(1.0)) * c["arrears_amount_max"]
              - F.least(F.coalesce(F.col("stop_count"), F.lit(0)) * c["per_stop"], F.lit(float(c["stops_max"])))
              - F.greatest(unpaid, F.lit(0.0)) * c["unpaid_max"])
    return F.round(F.greatest(points, F.lit(0.0)), 1)


def margin(cfg) -> F.Column:
    """ARPU less the SP's share of VAS fees and the interconnect cost of off-net minutes (conf
    settlement)."""
    c = cfg.get("settlement")
    offnet_minutes = F.coalesce(F.col("voice_minutes_avg3"), F.lit(0.0)) * F.coalesce(F.col("offnet_seconds_share"), F.lit(0.0))
    return (F.coalesce(F.col("revenue_avg3"), F.lit(0.0))
            - F.coalesce(F.col("vas_fee_avg3"), F.lit(0.0)) * c["sp_share"]
            - offnet_minutes * c["interconnect_per_minute"])


def tier(cfg) -> F.Column:
    """Tier from the value-score rank (`value_top`: share of the month at or above the user)."""
    expr = None
    for name, share in cfg.get("ml.value.tiers"):
        cond = F.col("value_top") <= share
        expr = F.when(cond, name) if expr is None else expr.when(cond, name)
    return expr.otherwise(cfg.get("ml.value.tiers")[-1][0])


BASELINE_VERSION = "baseline: 3 x ARPU"


def score_value(ctx, batch: Batch) -> DataFrame:
    """Rows of dm.user_value_m for the batch's months (potential from the champion value model;
    without one, none having beaten the naive baseline, from the baseline, with a warning)."""
    tracker = Tracker(ctx, "value")
    if tracker.has_champion():
        version, _model, scored = tracker.champion_rows("dm.user_wide_m", batch)
    else:
        log.warning("no value model has beaten the naive baseline (3 x ARPU): scoring with the baseline")
        version = BASELINE_VERSION
        scored = (ctx.spark.table("dm.user_wide_m").where((F.col("batch_month") >= batch.first)
                                                          & (F.col("batch_month") <= batch.last))
                  .withColumn("prediction", 3 * F.coalesce(F.col("revenue_avg3"), F.lit(0.0))))
    w = ctx.cfg.get("ml.value.weights")
    scored = (scored.select("user_id", "msisdn", "batch_month",
                      F.round(F.coalesce("revenue_avg3", F.lit(0.0)), 2).alias("arpu"),
                      F.round(F.coalesce("billed_minutes_avg3", F.lit(0.0)), 1).alias("mou"),
                      F.round(margin(ctx.cfg), 2).alias("margin"),
                      F.round(F.greatest("prediction", F.lit(0.0)), 2).alias("predicted_revenue_3m"),
                      credit_score(ctx.cfg).alias("credit_score"))
              .withColumn("growth_potential", F.round(F.col("predicted_revenue_3m") / 3 - F.col("arpu"), 2)))
    scored = quantiles.share_below(scored, "margin", "margin_rank")
    scored = quantiles.share_below(scored, "predicted_revenue_3m", "potential_rank")
    value = 100 * (w["margin"] * F.col("margin_rank") + w["potential"] * F.col("potential_rank")
                   + w["credit"] * F.col("credit_score") / 100) / (w["margin"] + w["potential"] + w["credit"])
    scored = quantiles.share_below(scored.withColumn("value_score", F.round(value, 2)), "value_score", "value_below")
    return (scored.withColumn("value_top", 1 - F.col("value_below"))
            .select("user_id", "msisdn", "arpu", "mou", "margin", "predicted_revenue_3m", "growth_potential",
                    "credit_score", "value_score", tier(ctx.cfg).alias("value_tier"),
                    F.lit(version).alias("model_version"), "batch_month"))
