"""The tariff catalogue step: mid.tariff_plan_m, BOSS's plans of the month and the proposals of
conf/tariffs/ (bass.marts.tariff.catalogue), so re-rating is one join whatever the plan's origin."""
from __future__ import annotations

from bass.marts.tariff.catalogue import catalogue, load_proposals
from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import TableStep


@register("tariff_catalogue")
class TariffCatalogue(TableStep):
    def inputs(self):
        return tuple(sorted(set(self.table.inputs) | {"mid.product_m"}))

    def build(self, ctx, batch):
        return catalogue(ctx.spark, list(batch.values), list(load_proposals().values()))
