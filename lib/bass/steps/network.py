"""The relationship-network step: dm.user_network_m from the months' call graphs (bass.network),
iterations in Spark that one SQL statement cannot express."""
from __future__ import annotations

from bass.network import user_network
from bass.steps.base import register
from bass.steps.table import TableStep


@register("network")
class UserNetwork(TableStep):
    def build(self, ctx, batch):
        cfg = ctx.cfg
        return user_network(ctx.spark, list(batch.values), int(cfg.get("profiles.network.exposure_months")),
                            float(cfg.get("profiles.network.damping")), int(cfg.get("profiles.network.max_iter")))
