"""Outbound BOSS deliveries: a table's batch written to the outbox as its interface's files.

Each value of the batch becomes one delivery (data file + .verf) in outbox/<code>/, in the
interface's first field's order (e.g. list_rank), ties broken by the table's keys, so a rebuilt
batch is the same file line for line. Rebuilding a batch that was already delivered
sends it again with the next resend number, which replaces the earlier delivery on the BOSS
side (docs/domain.md §8); resend numbers come from meta.outbox_log, since BOSS may empty the folder.
The table holds exactly the interface's fields, so no other personal data leaves. Each file's
checksum (`delivery.checksum`) is in the .verf, so BOSS can tell a damaged transfer. Every delivery
is also archived as sent (bass.boss.archive)."""
from __future__ import annotations

from pyspark.sql import functions as F

from bass.boss import archive
from bass.boss.delivery import VerfRecord, data_date_token, verf_file_name
from bass.boss.writer import write_delivery
from bass.core.batch import Batch
from bass.core.interfaces import interface
from bass.core.registry import table
from bass.warehouse import bookkeeping


def deliver(ctx, table_name: str, code: str, batch: Batch) -> dict[str, list[VerfRecord]]:
    """Write each value of `batch` from `table_name` as a delivery of interface `code`."""
    spec = interface(code)
    fields = spec.field_names()
    order = [fields[0]] + [k for k in table(table_name).keys if k in fields and k != fields[0]]
    sent = {}
    for value in batch.values:
        rows = ctx.spark.table(table_name).where(F.col(spec.batch_column) == value).orderBy(*order).coalesce(1)
        resend = bookkeeping.next_resend(ctx, code, value)
        sent[value] = write_delivery(rows, spec, value, ctx.cfg.path("outbox"), ctx.cfg.province, resend=resend,
                                     files=1, sort=False, checksum=ctx.cfg.get("delivery.checksum"))
        bookkeeping.record_outbound(ctx, code, value, resend, table_name, sent[value])
        archive.keep(ctx.cfg.path("archive"), ctx.cfg.path("outbox"), code, sent[value],
                     verf_file_name(code, ctx.cfg.province, data_date_token(spec.grain, value), resend))
    return sent
