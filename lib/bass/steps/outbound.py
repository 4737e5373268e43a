"""Outbound delivery: a SQL table whose batch is also written to the outbox as its BOSS
interface's files (bass.outbox)."""
from __future__ import annotations

from bass import outbox
from bass.steps.base import register
from bass.steps.table import SqlTable


@register("outbound")
class OutboundDelivery(SqlTable):
    def after_write(self, ctx, batch, run):
        super().after_write(ctx, batch, run)
        sent = outbox.deliver(ctx, self.name, self.table.deliver, batch)
        run.message = "delivered " + ", ".join(f"{recs[0].file_name} ({sum(r.records for r in recs)} records)"
                                               for recs in sent.values())
