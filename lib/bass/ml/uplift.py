"""Uplift model (增量响应): who is kept by a retention action, not who is at risk.

Learnt from past campaign lists whose outcomes are known: the treated and the control users of
a campaign (conf ml.uplift.campaign), their wide-table features and churn score of the list
month, and whether they left within the campaign's outcome months. Random assignment within
priority deciles is what makes the treated-versus-control difference causal. Two learners
(conf ml.uplift.learner):

- `s_learner` (the default): one regression of churn on the churn model's score of the month,
  the segments of `effect_by` (columns such as brand, or SQL expressions over the wide table
  such as `contract_ends_3m`), the treatment, and the treatment by segment (and by score, with
  `effect_by_score`). The uplift of a user is its prediction without the treatment minus with
  it. It estimates a few parameters, so the few hundred treated users of a month's list are
  enough. With link `log` (a relative-risk model) an action removes a share of the risk that
  may differ by segment; with `logit` it shifts the log-odds.
- `two_model` (a T-learner): two classifiers on every feature (`classifier`:
  logistic_regression or gbt), one fitted on the treated (weight 1 for treated rows, 0 for
  control rows), one on the control group; the uplift is their difference. It finds effects
  nobody declared, given many lists.

Validation: the latest list month with known outcomes is the test month when there are two or
more (trained on the earlier ones), else a random 30 % of users (by hash) is held out. A model
that is not worse than the champion there is refit on every month, the test month included,
and becomes the champion. On the
test rows the users are cut into deciles of predicted uplift (approximate quantiles); per
decile the observed uplift is control churn − treated churn; the Qini curve is, for the top k
deciles, control churners × (treated / control users) − treated churners, against the random
line; the Qini coefficient is the mean gap between them per treated user (higher is better,
the champion rule). Scores: dm.uplift_score_m.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from pyspark.ml import Pipeline
from pyspark.ml.classification import GBTClassifier, LogisticRegression
from pyspark.ml.feature import Interaction, OneHotEncoder, SQLTransformer, StringIndexer, VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.ml.regression import GeneralizedLinearRegression
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.core.registry import table
from bass.ml import features, quantiles
from bass.ml.churn.model import NOT_FEATURES
from bass.ml.stages import FeaturePrep
from bass.ml.tracking import Tracker

log = logging.getLogger("bass")
ARMS = ("treated", "control")
CAMPAIGN_COLUMNS = ["grp", "outcome_months"]
ONE_MODEL_OUT = "pred_arm"                          # the s_learner's prediction column


@dataclass
class UpliftRun:
    run_id: str = ""
    campaign: str = ""
    train_months: list = field(default_factory=list)
    test: str = ""
    metrics: dict = field(default_factory=dict)     # qini, deciles
    champion_qini: float | None = None
    promoted: bool = False
    skipped: str = ""                               # why nothing was trained


def training_rows(ctx, campaign: str, until: str | None = None) -> DataFrame:
    """The campaign's targets with their features, `label` (left within the outcome months) and
    each arm's weight; months whose outcomes are not known are left out."""
    spark = ctx.spark
    if not spark.catalog.tableExists("out.campaign_target_m"):
        return None
    targets = (spark.table("out.campaign_target_m").where(F.col("campaign_id") == campaign)
               .select("user_id", "batch_month", *CAMPAIGN_COLUMNS))
    if until:
        targets = targets.where(F.col("batch_month") <= until)
    rows = with_churn_score(spark, targets.join(spark.table("dm.user_wide_m"), ["user_id", "batch_month"]))
    churned = F.when(F.col("outcome_months") == 1, F.col("churn_1m")).when(F.col("outcome_months") == 3, F.col("churn_3m"))
    return (rows.withColumn("label", churned.cast("int")).where(F.col("label").isNotNull())
            .withColumn("w_treated", (F.col("grp") == "treated").cast("double"))
            .withColumn("w_control", (F.col("grp") == "control").cast("double"))
            .withColumn("treated", F.col("w_treated")))


def with_churn_score(spark, rows: DataFrame) -> DataFrame:
    """`rows` (user_id, batch_month, ...) with the churn champion's probability of that month and
    its log-odds."""
    scores = spark.table("dm.churn_score_m").select("user_id", "batch_month", "churn_prob")
    p = F.least(F.greatest(F.col("churn_prob"), F.lit(1e-6)), F.lit(1 - 1e-6))
    return (rows.join(scores, ["user_id", "batch_month"])
            .withColumn("churn_logit", F.log(p / (1 - p))).withColumn("churn_log", F.log(p)))


def pipeline(spec: features.FeatureSpec, conf: dict, seed: int) -> Pipeline:
    learner = conf.get("learner", "s_learner")
    if learner == "s_learner":
        return one_model_pipeline(conf)
    if learner == "two_model":
        return two_model_pipeline(spec, conf, seed)
    raise ValueError(f"ml.uplift.learner must be s_learner or two_model, got {learner!r}")


def segments(effect_by) -> dict[str, str]:
    """ml.uplift.effect_by as segment name -> SQL expression: a list of column names, or a
    mapping of names to expressions over the wide table (e.g. `heavy_data: data_mb > 1024`)."""
    if isinstance(effect_by, dict):
        return {str(k): str(v) for k, v in effect_by.items()}
    return {str(c): f"`{c}`" for c in effect_by or []}


def one_model_pipeline(conf: dict) -> Pipeline:
    """The s_learner: churn on [the churn score, segment one-hots, treated, treated × segment
    one-hots, and treated × score when `effect_by_score`]. link `log` (the default) is a
    relative-risk model, a Poisson regression with log link on log(churn probability): an action
    removes a share of a segment's risk, so among users of one segment the riskiest gain the
    most. link `logit` is a logistic regression on the churn log-odds: an action moves the
    log-odds, so users whose leaving is near certain gain little. The treated × score term lets
    the share (or shift) change with the risk; on a few hundred treated users a month its slope
    is mostly noise, so it is off unless asked for."""
    segs, link = segments(conf.get("effect_by")), conf.get("link", "log")
    if link not in ("log", "logit"):
        raise ValueError(f"ml.uplift.link must be log or logit, got {link!r}")
    reg = float(dict(conf.get("params") or {}).get("regParam", 0.001))
    by = [f"seg__{name}" for name in segs]
    stages = [SQLTransformer(statement="SELECT *, " + ", ".join(
        f"coalesce(cast(({expr}) as string), '(none)') as seg__{name}" for name, expr in segs.items()) + " FROM __THIS__")] \
        if segs else []
    for c in by:
        stages += [StringIndexer(inputCol=c, outputCol=f"{c}__idx", handleInvalid="keep"),
                   OneHotEncoder(inputCol=f"{c}__idx", outputCol=f"{c}__vec", dropLast=False),
                   Interaction(inputCols=["treated", f"{c}__vec"], outputCol=f"treated_x_{c}")]
    score = "churn_log" if link == "log" else "churn_logit"
    by_score = ["treated_x_score"] if conf.get("effect_by_score", False) else []
    if by_score:
        stages.append(Interaction(inputCols=["treated", score], outputCol="treated_x_score"))
    inputs = [score, *[f"{c}__vec" for c in by], "treated", *by_score, *[f"treated_x_{c}" for c in by]]
    stages.append(VectorAssembler(inputCols=inputs, outputCol="uplift_features"))
    stages.append(GeneralizedLinearRegression(featuresCol="uplift_features", labelCol="label", link=link,
                                              family="poisson" if link == "log" else "binomial", maxIter=100,
                                              regParam=reg, predictionCol=ONE_MODEL_OUT))
    return Pipeline(stages=stages)


def two_model_pipeline(spec: features.FeatureSpec, conf: dict, seed: int) -> Pipeline:
    """Feature preparation, then one classifier per arm (each sees only its arm by weight)."""
    kind, params = conf.get("classifier", "logistic_regression"), dict(conf.get("params") or {})
    stages = [FeaturePrep.of(spec), *features.stages(spec), features.assembler(spec)]
    for arm in ARMS:
        common = dict(featuresCol="features", labelCol="label", weightCol=f"w_{arm}", predictionCol=f"pred_{arm}")
        if kind == "gbt":
            clf = GBTClassifier(**common, seed=seed, maxIter=int(params.get("maxIter", 40)),
                                maxDepth=int(params.get("maxDepth", 3)), stepSize=float(params.get("stepSize", 0.1)))
        elif kind == "logistic_regression":
            clf = LogisticRegression(**common, maxIter=200, regParam=float(params.get("regParam", 0.01)))
        else:
            raise ValueError(f"ml.uplift.classifier must be gbt or logistic_regression, got {kind!r}")
        stages.append(clf.setProbabilityCol(f"prob_{arm}").setRawPredictionCol(f"raw_{arm}"))
    return Pipeline(stages=stages)


def predictions(model, rows: DataFrame) -> DataFrame:
    """`p_treated`, `p_control` (churn probabilities under each arm) and `uplift` = their difference."""
    if is_one_model(model):
        out = rows
        for arm, flag in (("control", 0.0), ("treated", 1.0)):
            arm_out = model.transform(out.withColumn("treated", F.lit(flag)))
            added = [c for c in arm_out.columns if c not in out.columns and c != "treated"]
            out = arm_out.withColumn(f"p_{arm}", F.least(F.col(ONE_MODEL_OUT), F.lit(1.0))).drop(*added)
        out = out.drop("treated")
    else:
        out = model.transform(rows)
        for arm in ARMS:
            out = out.withColumn(f"p_{arm}", vector_to_array(f"prob_{arm}")[1])
    return out.withColumn("uplift", F.col("p_control") - F.col("p_treated"))


def is_one_model(model) -> bool:
    return any(s.hasParam("predictionCol") and s.getOrDefault("predictionCol") == ONE_MODEL_OUT
               for s in model.stages)


def deciles(scored: DataFrame) -> list[dict]:
    """Per decile of predicted uplift (1 = highest): users, churn and observed uplift per arm."""
    ranked = quantiles.with_top_rank(scored, "uplift", "decile", 10)
    rows = (ranked.groupBy("decile").agg(
        F.count_if(F.col("grp") == "treated").alias("treated"), F.count_if(F.col("grp") == "control").alias("control"),
        F.sum(F.when(F.col("grp") == "treated", F.col("label"))).alias("churn_t"),
        F.sum(F.when(F.col("grp") == "control", F.col("label"))).alias("churn_c"),
        F.avg("uplift").alias("predicted")).orderBy("decile").collect())   # ten rows
    return [dict(decile=r.decile, treated=r.treated, control=r.control, churn_t=int(r.churn_t or 0),
                 churn_c=int(r.churn_c or 0), predicted=float(r.predicted),
                 observed=(r.churn_c or 0) / r.control - (r.churn_t or 0) / r.treated if r.treated and r.control else None)
            for r in rows]


def qini(table_: list[dict]) -> dict:
    """The Qini curve over the deciles (churners prevented among the treated of the top k
    deciles, control churn scaled to the treated count) and its coefficient against random."""
    n_t = sum(d["treated"] for d in table_)
    total = sum(d["churn_c"] for d in table_) * n_t / max(1, sum(d["control"] for d in table_)) \
        - sum(d["churn_t"] for d in table_)
    curve, random, t, c, yt, yc = [0.0], [0.0], 0, 0, 0, 0
    for d in table_:
        t, c, yt, yc = t + d["treated"], c + d["control"], yt + d["churn_t"], yc + d["churn_c"]
        curve.append(yc * t / c - yt if c else 0.0)
        random.append(total * t / max(1, n_t))
    coef = sum(q - r for q, r in zip(curve[1:], random[1:])) / len(table_) / max(1, n_t)
    return {"qini_curve": curve, "random_curve": random, "qini_coefficient": coef, "prevented_total": total}


def train_uplift(ctx, until: str | None = None) -> UpliftRun:
    conf = ctx.cfg.get("ml.uplift") or {}
    campaign, seed = conf.get("campaign", "retention"), int(conf.get("seed", 7))
    rows = training_rows(ctx, campaign, until)
    months = sorted(r[0] for r in rows.select("batch_month").distinct().collect()) if rows is not None else []
    if not months:
        reason = f"no list of campaign {campaign} with known outcomes yet (run the feedback loop first)"
        log.warning("uplift model not trained: %s", reason)
        return UpliftRun(campaign=campaign, skipped=reason)
    rows = rows.cache()
    if len(months) >= 2:
        train, test, test_name = rows.where(F.col("batch_month") < months[-1]), rows.where(F.col("batch_month") == months[-1]), months[-1]
    else:
        held = F.abs(F.xxhash64(F.lit(seed), F.col("user_id"))) % 10 < 3
        train, test, test_name = rows.where(~held), rows.where(held), f"30 % of users held out of {months[0]}"
    spec = features.detect(train, NOT_FEATURES + CAMPAIGN_COLUMNS + ["w_treated", "w_control", "treated", "churn_prob", "churn_log"])
    model = pipeline(spec, conf, seed).fit(train)
    scored = predictions(model, test).cache()
    table_ = deciles(scored)
    m = {**qini(table_), "deciles": table_}
    tracker = Tracker(ctx, "uplift")
    # the champion has not seen the test month either (it was fitted before its outcomes came),
    # so a tie goes to the challenger, which is then refit with the test month: a few hundred
    # treated users a month, and the newest list is the one most like the next
    # a Qini coefficient of 0 is a random order: a model no better than that is never promoted
    old, promote = tracker.challenge(m["qini_coefficient"], lambda champ: qini(deciles(predictions(champ, test)))["qini_coefficient"],
                                     ties_win=True, baseline=0.0)
    if promote:
        model = pipeline(spec, conf, seed).fit(rows)
    run_id = tracker.log_run(
        params={"campaign": campaign, "fit_months": ",".join(months if promote or len(months) < 2 else months[:-1]),
                "test": test_name, "learner": conf.get("learner", "s_learner"),
                "features": len(spec.names())},
        metrics={"qini_coefficient": m["qini_coefficient"], "prevented_total": m["prevented_total"]},
        artifacts={"uplift_deciles.json": json.dumps(table_, indent=1)}, model=model, promote=promote)
    scored.unpersist()
    rows.unpersist()
    log.info("uplift model on %s: Qini coefficient %.4f (champion %s) -> %s", campaign, m["qini_coefficient"],
             "none" if old is None else f"{old:.4f}", "champion" if promote else "not promoted")
    return UpliftRun(run_id, campaign, months, test_name, m, old, promote)


def score_uplift(ctx, batch: Batch) -> DataFrame:
    """dm.uplift_score_m rows of the users in the network; none until a model is trained."""
    tracker = Tracker(ctx, "uplift")
    if not tracker.has_champion():
        log.warning("no uplift model yet (it learns from campaign lists with known outcomes): no uplift scores")
        tbl = table("dm.uplift_score_m")
        return ctx.spark.createDataFrame([], tbl.schema_ddl())
    version, model = tracker.champion()
    rows = with_churn_score(ctx.spark, ctx.spark.table("dm.user_wide_m").where(   # users in the network only
        (F.col("batch_month") >= batch.first) & (F.col("batch_month") <= batch.last)))
    return predictions(model, rows).select(
        "user_id", "msisdn", "p_treated", "p_control", "uplift",
        F.lit(f"{tracker.name} v{version.version}").alias("model_version"), "batch_month")
