"""MLflow for BASS models: an embedded SQLite store under the mlflow path; per model family
(churn, value, segment) one experiment and one registered model whose `champion` alias is
what scoring loads; churn has one registered model per horizon."""
from __future__ import annotations

import os
from pathlib import Path

import mlflow
import mlflow.spark
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from bass.core.storage import is_local

CHAMPION = "champion"


def _requirements() -> list[str]:
    import pyspark
    return [f"pyspark=={pyspark.__version__}", f"mlflow=={mlflow.__version__}"]


def promotes(new: float, old: float | None, min_improvement: float, higher_is_better: bool = True,
             relative: bool = False, ties_win: bool = False, baseline: float | None = None) -> bool:
    """Whether a challenger scoring `new` becomes champion. It must beat the family's naive
    baseline (`baseline`: what a rule scores without a model; a model no better than that is
    never promoted, not even as the first champion), then the champion's `old` (None: there is
    none) by more than `min_improvement` (absolute, or relative to `old`), so a retrain on the
    same data keeps the alias. With `ties_win`, a challenger within `min_improvement` of the
    champion wins too (one that is refit on newer rows once judged)."""
    sign = 1.0 if higher_is_better else -1.0
    if baseline is not None and not sign * (new - baseline) > 0:
        return False
    if old is None:
        return True
    margin = min_improvement * (abs(old) if relative else 1.0)
    gap = sign * (new - old)
    return gap >= -margin if ties_win else gap > margin


def stores(cfg) -> tuple[str, str]:
    """(run and registry store URI, artifact location). By default both live under the `mlflow`
    path: an SQLite file and a folder. When that path is on a shared file system (hdfs://,
    s3a://) the artifacts stay there (bass.ml.hadoop_artifacts) but SQLite cannot: the run store
    is then a database or tracking server named by BASS_TRACKING_URI or `ml.tracking_uri`."""
    root = cfg.path("mlflow")
    uri = os.environ.get("BASS_TRACKING_URI") or cfg.get("ml.tracking_uri")
    if is_local(root):
        local = Path(root.removeprefix("file:")).resolve()
        local.mkdir(parents=True, exist_ok=True)
        return uri or f"sqlite:///{local}/mlflow.db", (local / "artifacts").as_uri()
    if not uri:
        raise ValueError(f"the mlflow path {root} is not on a local disk: name MLflow's run store with "
                         f"BASS_TRACKING_URI or ml.tracking_uri (sqlite:////<driver path>/mlflow.db, "
                         f"postgresql://..., http://<tracking server>)")
    return uri, f"{root.rstrip('/')}/artifacts"


class Tracker:
    def __init__(self, ctx, family: str = "churn", horizon: int | None = None):
        self.min_improvement = float(ctx.cfg.get("ml.min_improvement", 0.001))
        self.spark = ctx.spark
        uri, artifacts = stores(ctx.cfg)
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
        self.client = MlflowClient()
        self.name = ctx.cfg.get(f"ml.{family}.registry_name", f"bass_{family}") + (f"_h{horizon}" if horizon else "")
        experiment = ctx.cfg.get(f"ml.{family}.experiment", f"bass-{family}")
        found = self.client.get_experiment_by_name(experiment)
        # runs name their experiment: families may train concurrently (runs are thread-local,
        # the "current experiment" is not)
        self.experiment_id = found.experiment_id if found else \
            self.client.create_experiment(experiment, artifact_location=artifacts)

    def champion_uri(self) -> str:
        return f"models:/{self.name}@{CHAMPION}"

    def has_champion(self) -> bool:
        try:
            self.client.get_model_version_by_alias(self.name, CHAMPION)
            return True
        except MlflowException:
            return False

    def load_champion(self):
        if not self.has_champion():
            raise LookupError(f"no {CHAMPION} model registered as {self.name}: train one first (bass ml train)")
        return mlflow.spark.load_model(self.champion_uri())

    def champion(self):
        """(model version, Spark model) behind the champion alias."""
        model = self.load_champion()
        return self.client.get_model_version_by_alias(self.name, CHAMPION), model

    def champion_text(self, name: str) -> str:
        """A text artifact of the champion's training run."""
        run_id = self.client.get_model_version_by_alias(self.name, CHAMPION).run_id
        return Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=name)).read_text(encoding="utf-8")

    def champion_metric(self, evaluate) -> float | None:
        """`evaluate(model)` for the current champion, or None when there is none."""
        return evaluate(self.load_champion()) if self.has_champion() else None

    def challenge(self, new: float, evaluate, higher_is_better: bool = True, relative: bool = False,
                  ties_win: bool = False, baseline: float | None = None):
        """The one promotion rule: (champion's metric or None, promote?). The champion is evaluated
        by `evaluate(model)` with its own pipeline on the challenger's data (see `promotes`)."""
        old = self.champion_metric(evaluate)
        return old, promotes(new, old, self.min_improvement, higher_is_better, relative, ties_win, baseline)

    def champion_rows(self, table: str, batch) -> tuple:
        """The one scoring preamble: ('<name> v<version>', the champion model, its transform of the
        table's rows for the batch). Everything a model needs is inside its PipelineModel."""
        from pyspark.sql import functions as F
        version, model = self.champion()
        rows = self.spark.table(table).where((F.col("batch_month") >= batch.first) & (F.col("batch_month") <= batch.last))
        return f"{self.name} v{version.version}", model, model.transform(rows)

    def log_run(self, params: dict, metrics: dict, artifacts: dict, model, promote: bool) -> str:
        """Log a training run with its model and text artifacts (name -> text; .html files are
        reports); register the model and move the champion alias if `promote`."""
        with mlflow.start_run(experiment_id=self.experiment_id) as run:
            mlflow.log_params(params)
            mlflow.log_metrics(metrics)
            for name, text in artifacts.items():
                mlflow.log_text(text, name)
            # requirements given, not inferred: inference starts a subprocess that imports the
            # model (about 16 s a run) to find what we already know
            mlflow.spark.log_model(model, artifact_path="model", pip_requirements=_requirements())
            mlflow.set_tag("promoted", str(promote))
        if promote:
            version = mlflow.register_model(f"runs:/{run.info.run_id}/model", self.name)
            self.client.set_registered_model_alias(self.name, CHAMPION, version.version)
        return run.info.run_id
