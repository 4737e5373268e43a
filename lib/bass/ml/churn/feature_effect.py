"""What a group of features adds to the churn model: the candidate search and fit of
`train_churn`, on the same windows, once with every feature and once without the group's
(conf ml.churn.feature_groups), each scored on the same untouched test month. Nothing is
registered: it is a measurement, e.g. of the relationship-network features. `truth`, when given,
scores each arm against another set of outcomes too (the simulator's planted truth: the command
line passes bass.devkit.churn_truth.truth_judge)."""
from __future__ import annotations

from pyspark.sql import functions as F

from bass.ml import features, metrics
from bass.ml.churn import search
from bass.ml.churn.model import NOT_FEATURES, labelled, selection_folds, windows


def group_columns(ctx, group: str) -> list[str]:
    groups = ctx.cfg.get("ml.churn.feature_groups") or {}
    if group not in groups:
        raise ValueError(f"no feature group {group!r} in conf ml.churn.feature_groups (known: {', '.join(sorted(groups)) or 'none'})")
    return list(groups[group])


def feature_effect(ctx, group: str, horizon: int | None = None, truth=None) -> dict:
    horizon = horizon or int(ctx.cfg.get("ml.churn.horizon_months", 1))
    columns = group_columns(ctx, group)
    seed = int(ctx.cfg.get("ml.churn.seed", 7))
    settings = search.Settings.of(ctx.cfg, seed)
    rows, months = labelled(ctx.spark.table("dm.user_wide_m"), horizon)
    missing = sorted(set(columns) - set(rows.columns))
    if missing:
        raise ValueError(f"feature group {group!r}: dm.user_wide_m has no column {', '.join(missing)}")
    w = windows(months, horizon)
    train_df = rows.where(F.col("batch_month").isin(list(w.train_months))).cache()
    test_df = rows.where(F.col("batch_month") == w.test_month).cache()
    out = {"group": group, "columns": columns, "horizon": horizon, **w.describe(), "test_rows": test_df.count()}
    folds = selection_folds(rows, w, settings, seed)
    for arm, exclude in (("with", []), ("without", columns)):
        spec = features.detect(train_df, NOT_FEATURES + exclude)
        found = search.search(folds, spec, list(settings.members), settings.max_members, settings.parallelism,
                               settings.balanced)
        scored = search.score(search.fit(train_df, spec, found.best, settings.balanced), test_df).cache()
        m = metrics.evaluate(scored)
        result = {"model": found.best.label, "features": len(spec.names()), "roc_auc": round(m["roc_auc"], 4),
                  "top_decile_lift": round(m["top_decile_lift"], 3)}
        if truth is not None:
            t = truth(scored.select("user_id", "p"), w.test_month, horizon)
            result.update(truth_roc_auc=round(t["roc_auc"], 4), truth_top_decile_lift=round(t["top_decile_lift"], 3))
        out[arm] = result
        scored.unpersist()
    for f in folds:
        f.select.unpersist()
    out["roc_auc_change"] = round(out["with"]["roc_auc"] - out["without"]["roc_auc"], 4)
    out["top_decile_lift_change"] = round(out["with"]["top_decile_lift"] - out["without"]["top_decile_lift"], 3)
    train_df.unpersist()
    test_df.unpersist()
    return out
