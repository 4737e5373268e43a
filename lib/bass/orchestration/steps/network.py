"""The relationship-network step: dm.user_network_m from the months' call graphs (bass.marts.network),
iterations in Spark that one SQL statement cannot express."""
from __future__ import annotations

from bass.marts.network import user_network
from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import TableStep


@register("network")
class UserNetwork(TableStep):
    def build(self, ctx, batch):
        net = lambda key: ctx.cfg.get(f"profiles.network.{key}")  # noqa: E731
        return user_network(ctx.spark, list(batch.values), int(net("exposure_months")), float(net("damping")),
                            int(net("pagerank_max_iter")), int(net("lpa_max_rounds")))
