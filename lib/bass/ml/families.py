"""Model families as plug-ins: churn, value, segmentation and uplift each implement `ModelFamily`
(train, score, describe) and register under their name. The CLI (`bass ml train`), the demo,
the training loop and the scoring steps (step kind `score`) only ever loop over FAMILIES.
A new family is a new class here (its implementation imported inside train and score, so that
`bass run` and `bass graph` need not load MLlib), its registered-model name and experiment in
conf ml.<family>, its score table declared in conf/tables/dm.yml with `step: score`, and that
table in the `scoring` pipeline of conf/pipelines.yml."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from pyspark.sql import DataFrame

from bass.core.batch import Batch
from bass.core.plugins import Plugins

FAMILIES: Plugins[ModelFamily] = Plugins("model family", instances=True)
register = FAMILIES.register


class ModelFamily(ABC):
    name: ClassVar[str]
    inputs: ClassVar[tuple] = ("dm.user_wide_m",)   # tables training and scoring read

    @abstractmethod
    def train(self, ctx, until: str | None = None, **options):
        """Fit candidates, log the run to MLflow, move the champion alias if better; returns the run."""

    @abstractmethod
    def score(self, ctx, batch: Batch) -> DataFrame:
        """The scores table's rows for the batch, from the champion."""

    @abstractmethod
    def describe(self, run) -> dict:
        """What a training run achieved, as plain values (printed as one JSON line)."""


@register
class Churn(ModelFamily):
    name = "churn"

    def train(self, ctx, until=None, horizon=None, **_):
        from bass.ml.churn.model import Runs, train_all
        return Runs(train_all(ctx, horizon, until))

    def score(self, ctx, batch):
        from bass.ml.churn.scoring import score_churn
        return score_churn(ctx, batch)

    def describe(self, runs):
        out = {}
        for r in runs.runs:
            facts = {"model": r.kind, "selection_auc": round(r.selection_auc, 4), "test_month": r.windows.test_month,
                     "test_roc_auc": round(r.metrics["roc_auc"], 4), "baseline_rule_auc": round(r.baseline_auc, 4),
                     "test_top_decile_lift": round(r.metrics["top_decile_lift"], 3), "promoted": r.promoted,
                     "report": r.report}
            out.update({f"h{r.horizon}_{k}": v for k, v in facts.items()})
        return out


@register
class Value(ModelFamily):
    name = "value"

    def train(self, ctx, until=None, **_):
        from bass.ml.value import train_value
        return train_value(ctx, until)

    def score(self, ctx, batch):
        from bass.ml.value import score_value
        return score_value(ctx, batch)

    def describe(self, run):
        return {"model": run.kind, "valid_month": run.valid_month,
                **{k: round(run.metrics[k], 3) for k in ("rmse", "mae", "r2", "baseline_rmse")}}


@register
class Segment(ModelFamily):
    name = "segment"

    def train(self, ctx, until=None, **_):
        from bass.ml.segments import train_segments
        return train_segments(ctx, until)

    def score(self, ctx, batch):
        from bass.ml.segments import score_segments
        return score_segments(ctx, batch)

    def describe(self, run):
        return {"month": run.month, "k": run.k, "silhouette": round(run.silhouettes[run.k], 4),
                "baseline_silhouette": round(run.baseline_silhouette, 4),
                "segments": [f"{s['segment_id']}: {s['description']}" for s in run.segments]}


@register
class Uplift(ModelFamily):
    name = "uplift"
    inputs = ("dm.user_wide_m", "dm.churn_score_m")   # training also reads out.campaign_target_m (scoring does not)

    def train(self, ctx, until=None, **_):
        from bass.ml.uplift import train_uplift
        return train_uplift(ctx, until)

    def score(self, ctx, batch):
        from bass.ml.uplift import score_uplift
        return score_uplift(ctx, batch)

    def describe(self, run):
        if run.skipped:
            return {"skipped": run.skipped}
        return {"campaign": run.campaign, "test": run.test, "qini_coefficient": round(run.metrics["qini_coefficient"], 4),
                "promoted": run.promoted,
                "observed uplift by decile": [f"{d['decile']}: predicted {d['predicted']:+.3f}, observed "
                                              + ("n/a" if d["observed"] is None else f"{d['observed']:+.3f}")
                                              for d in run.metrics["deciles"]]}


def family(name: str) -> ModelFamily:
    return FAMILIES.get(name)
