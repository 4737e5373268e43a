"""Outbound delivery: a SQL table whose batch is also written to the outbox as its BOSS
interface's files (bass.boss.outbound)."""
from __future__ import annotations

from bass.boss import outbound
from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import SqlTable


@register("outbound")
class OutboundDelivery(SqlTable):
    def after_write(self, ctx, batch, run):
        super().after_write(ctx, batch, run)
        sent = outbound.deliver(ctx, self.name, self.table.deliver, batch)
        run.message = "delivered " + ", ".join(f"{recs[0].file_name} ({sum(r.records for r in recs)} records)"
                                               for recs in sent.values())
