"""Campaign targets: every declared campaign's treated and control users of the month
(bass.marts.campaigns) in one table, out.campaign_target_m. Each campaign's BOSS file is an
outbound table that reads its treated rows, so control users never leave BASS."""
from __future__ import annotations

from bass.marts.campaigns import load_campaigns, targets
from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import TableStep, sql_tables


@register("campaign")
class CampaignTargets(TableStep):
    def inputs(self):
        read = set(self.table.inputs)
        for c in load_campaigns().values():
            read |= sql_tables(c.sql())
        return tuple(sorted(read - {self.name}))

    def build(self, ctx, batch):
        campaigns = list(load_campaigns().values())
        if not campaigns:
            raise ValueError("no campaign declared in conf/campaigns/")
        return targets(ctx.spark, campaigns, list(batch.values))
