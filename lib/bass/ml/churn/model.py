"""Churn model (离网预测) on dm.user_wide_m, one per horizon, tracked in MLflow.

Validation matches production. A model that scores month V can only learn from months whose
H-month label was known at V's end, the months up to V−H. So, with T the latest labelled month:

- the test month is T. It is scored by the chosen candidate trained on the months up to T−H,
  and it takes part in no choice. Its metrics are what the report shows.
- the selection month is S = T−H, scored by each candidate trained on the months up to S−H. The
  best selection ROC-AUC chooses the candidate (search.search). When the history is too short
  for that, stratified folds of the training months stand in (the report says so).
- the champion decision compares the same selection rows, the champion scored with its own
  pipeline. The registered model is the test month's model, so every figure of its run is its own.

H=1 and H=3 are separate registered models (<registry_name>_h1, _h3); scoring uses
ml.churn.horizon_months. Features read no month after their own (tested).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.core.grain import add_months
from bass.ml import features, metrics
from bass.ml.churn import baseline, explain, search
from bass.ml.tracking import Tracker
from bass.reports import churn as report

log = logging.getLogger("bass")
NOT_FEATURES = ["user_id", "msisdn", "cust_id", "batch_month", "churn_1m", "churn_3m", "status", "label"]


@dataclass(frozen=True)
class Windows:
    horizon: int
    test_month: str
    train_months: tuple          # up to test_month − H: the registered model's training months
    selection_month: str | None  # train_months' last, when months up to it − H exist
    selection_train: tuple       # up to selection_month − H

    def describe(self) -> dict:
        return {"horizon_months": self.horizon, "test_month": self.test_month,
                "train_months": ",".join(self.train_months),
                "selection": (f"month {self.selection_month} (trained on {','.join(self.selection_train)})"
                              if self.selection_month else "stratified folds of the training months")}


def windows(months: list, horizon: int) -> Windows:
    """The production-like windows over the labelled months."""
    months = sorted(months)
    if not months:
        raise ValueError("no month with a known churn label: load more months")
    test = months[-1]
    train = tuple(m for m in months if m <= add_months(test, -horizon))
    if not train:
        raise ValueError(f"need a labelled month at least {horizon} months before the test month {test} "
                         f"(labelled: {', '.join(months)}): load more months or use a shorter horizon")
    selection = train[-1]
    selection_train = tuple(m for m in months if m <= add_months(selection, -horizon))
    return Windows(horizon, test, train, selection if selection_train else None, selection_train)


@dataclass
class ChurnRun:
    run_id: str
    horizon: int
    windows: Windows
    search: search.Search
    trained: search.Trained
    metrics: dict                 # the test month's
    selection_auc: float
    champion_auc: float | None    # the champion on the selection rows
    baseline_auc: float           # the baseline rule on the test month
    promoted: bool
    test_df: DataFrame
    report: str                   # path of the HTML evaluation report

    @property
    def kind(self) -> str:
        return self.trained.kind


def label_column(horizon: int) -> str:
    if horizon not in (1, 3):
        raise ValueError(f"churn horizon must be 1 or 3 months (dm.user_wide_m has churn_1m and churn_3m), got {horizon}")
    return f"churn_{horizon}m"


def labelled(wide: DataFrame, horizon: int, until: str | None = None) -> tuple[DataFrame, list]:
    lab = label_column(horizon)
    rows = wide.where(F.col(lab).isNotNull()).withColumn("label", F.col(lab).cast("int"))
    if until:
        rows = rows.where(F.col("batch_month") <= until)
    return rows, sorted(r[0] for r in rows.select("batch_month").distinct().collect())


def selection_folds(rows: DataFrame, w: Windows, settings: search.Settings, seed: int) -> list:
    if w.selection_month:
        return [search.Fold(w.selection_month, rows.where(F.col("batch_month").isin(list(w.selection_train))),
                             search.numbered(rows.where(F.col("batch_month") == w.selection_month)))]
    return search.stratified_folds(rows.where(F.col("batch_month").isin(list(w.train_months))), settings.folds, seed)


def horizons(ctx) -> list[int]:
    return [int(h) for h in (ctx.cfg.get("ml.churn.horizons") or [ctx.cfg.get("ml.churn.horizon_months", 1)])]


def train_churn(ctx, horizon: int | None = None, until: str | None = None, facts=None) -> ChurnRun:
    """Train, judge and register the churn model of one horizon. `facts(test_df, test_month,
    horizon)`: more lines for the report (e.g. the simulated truth's Bayes-optimal ROC-AUC)."""
    horizon = horizon or int(ctx.cfg.get("ml.churn.horizon_months", 1))
    seed = int(ctx.cfg.get("ml.churn.seed", 7))
    settings = search.Settings.of(ctx.cfg, seed)
    rows, months = labelled(ctx.spark.table("dm.user_wide_m"), horizon, until)
    w = windows(months, horizon)
    train_df = rows.where(F.col("batch_month").isin(list(w.train_months))).cache()
    test_df = rows.where(F.col("batch_month") == w.test_month).cache()
    spec = features.detect(train_df, NOT_FEATURES)
    folds = search.sampled(selection_folds(rows, w, settings, seed), settings.sample_rows, seed)
    found = search.search(folds, spec, list(settings.members), settings.max_members, settings.parallelism,
                           settings.balanced)
    trained = search.fit(train_df, spec, found.best, settings.balanced)
    scored = search.score(trained, test_df).cache()
    m = metrics.evaluate(scored)
    selection_auc = found.scores[found.best.label]
    tracker = Tracker(ctx, "churn", horizon=horizon)
    previous = tracker.load_champion() if tracker.has_champion() else None
    champion_auc, promote = tracker.challenge(
        selection_auc, lambda model: sum(search.roc_auc(model.transform(f.select)) for f in folds) / len(folds))
    guard = evaluated_month(ctx, horizon, rows, trained.model, previous) if previous is not None else None
    if guard and promote and guard["challenger_auc"] < guard["champion_auc"] - tracker.min_improvement:
        promote = False
        log.info("churn h%d: challenger worse than the champion on the evaluated month %s (%.4f vs %.4f): not promoted",
                 horizon, guard["month"], guard["challenger_auc"], guard["champion_auc"])
    rule_auc = baseline.rule_auc(ctx.cfg, test_df)
    if promote and not m["roc_auc"] > rule_auc:
        promote = False
        log.warning("churn h%d: the model ranks the test month's leavers no better than the baseline rule "
                    "(ROC-AUC %.4f vs %.4f): not promoted", horizon, m["roc_auc"], rule_auc)
    champion_test = metrics.evaluate(previous.transform(test_df)) if previous is not None else None
    # the report's first reasons and importance, from at most the search's row budget of the test
    # month: explaining a user costs the model's contributions for every feature. Read once, so
    # not cached (a cached month of contributions filled a 4 GB driver at 100,000 users).
    described, test_rows = search.sampled_rows(scored, settings.sample_rows, seed)
    explained = explain.reasons(trained.model, described, explain.feature_labels())
    first = {r[0]: r[1] for r in explained.groupBy("first_reason").count().collect() if r[0]}
    importance = explain.importance(trained.model, described)
    params = {**w.describe(), "model": trained.kind, "features": len(spec.names()), "seed": seed,
              "base_rate": trained.base_rate, "selection_auc": round(selection_auc, 4)}
    page = report.churn_report(
        f"Churn model, {horizon}-month horizon, tested on {w.test_month}",
        {**params, "champion before (selection rows)": "none" if champion_auc is None else f"{champion_auc:.4f}",
         "latest evaluated month (untreated users)": "none" if not guard else
         f"{guard['month']}: challenger {guard['challenger_auc']:.4f}, champion {guard['champion_auc']:.4f}",
         "baseline rule, test month ROC-AUC": f"{rule_auc:.4f}",
         **(facts(test_df, w.test_month, horizon) if facts else {}), "promoted to champion": promote, "search seconds": round(found.seconds), "search folds": "; ".join(found.folds),
         "first reasons and importance read": "every test row" if described is scored else
         f"a sample of about {settings.sample_rows:,} of the {test_rows:,} test rows",
         "past the count budget (not tried)": ", ".join(found.skipped) or "none"},
        found.scores, m, champion_test, report.bucket_counts(scored), importance, first)
    run_id = tracker.log_run(
        params=params,
        metrics={**metrics.scalar(m), "selection_auc": selection_auc, "baseline_rule_auc": rule_auc,
                 **{f"candidate_auc_{i}": v for i, v in enumerate(found.scores.values())}},
        artifacts={"calibration.json": json.dumps(m["calibration"], indent=1),
                   "candidates.json": json.dumps(found.scores, indent=1),
                   "first_reasons.json": json.dumps(first, indent=1),
                   "feature_importance.json": json.dumps(importance, indent=1),
                   "report.html": page},
        model=trained.model, promote=promote)
    path = report.save(ctx.cfg.path("reports"), f"churn/{w.test_month}_h{horizon}_{run_id}.html", page)
    for f in folds:
        f.select.unpersist()
    train_df.unpersist()
    log.info("churn model h%d %s: selection %.4f, test %s ROC-AUC %.4f (champion %s) -> %s", horizon, trained.kind,
             selection_auc, w.test_month, m["roc_auc"], "none" if champion_auc is None else f"{champion_auc:.4f}",
             "champion" if promote else "not promoted")
    return ChurnRun(run_id, horizon, w, found, trained, m, selection_auc, champion_auc, rule_auc, promote, test_df, str(path))


def evaluated_month(ctx, horizon: int, rows: DataFrame, challenger, champion) -> dict | None:
    """The challenger and the champion on the latest month dm.churn_model_eval_m judged, on its
    untreated users (treatment changes the outcome): the challenger must not be worse there."""
    spark = ctx.spark
    if not (spark.catalog.tableExists("dm.churn_model_eval_m") and spark.catalog.tableExists("out.campaign_target_m")):
        return None
    latest = (spark.table("dm.churn_model_eval_m").where(F.col("horizon_months") == horizon)
              .agg(F.max("batch_month")).first()[0])
    if latest is None:
        return None
    treated = spark.table("out.campaign_target_m").where((F.col("batch_month") == latest) & (F.col("grp") == "treated"))
    month = rows.where(F.col("batch_month") == latest).join(treated.select("user_id").distinct(), "user_id", "left_anti")
    return {"month": latest, "challenger_auc": search.roc_auc(challenger.transform(month)),
            "champion_auc": search.roc_auc(champion.transform(month))}


@dataclass
class Runs:
    """The runs of one `bass ml train` (one per horizon trained)."""
    runs: list

    @property
    def promoted(self) -> bool:
        return any(r.promoted for r in self.runs)

    @property
    def run_id(self) -> str:
        return ",".join(r.run_id for r in self.runs)


def train_all(ctx, horizon: int | None = None, until: str | None = None) -> list[ChurnRun]:
    """One run per horizon (conf ml.churn.horizons, or the one asked for); a horizon without
    enough labelled months is skipped when others train, with the reason logged."""
    wanted = [horizon] if horizon else horizons(ctx)
    runs, errors = [], []
    for h in wanted:
        try:
            runs.append(train_churn(ctx, h, until))
        except ValueError as exc:
            errors.append(f"horizon {h}: {exc}")
            log.warning("churn horizon %d not trained: %s", h, exc)
    if not runs:
        raise ValueError("; ".join(errors))
    return runs
