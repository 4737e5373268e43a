"""Model scoring: a table of scores from a model family's champion (bass.ml.families)."""
from __future__ import annotations

from bass.ml.families import family
from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import TableStep


@register("score")
class ModelScore(TableStep):
    def inputs(self):
        return tuple(sorted((set(family(self.table.family).inputs) | set(self.table.inputs)) - {self.name}))

    def build(self, ctx, batch):
        return family(self.table.family).score(ctx, batch)
