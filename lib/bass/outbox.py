"""Outbound BOSS deliveries: a table's batch written to the outbox as its interface's files.

Each month of the batch becomes one delivery (data file + .verf) in outbox/<code>/, in the
table's order column (the interface's first field, e.g. list_rank). Rebuilding a month that was
already delivered sends it again with the next resend number, which replaces the earlier
delivery on the BOSS side (DOMAIN.md §8)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from pyspark.sql import functions as F

from bass.batch import Batch
from bass.fileio.delivery import UNIT, VerfRecord, data_date_token
from bass.fileio.writer import write_delivery
from bass.interfaces import interface


def next_resend(folder: Path, code: str, province: str, token: str) -> int:
    pattern = re.compile(re.escape(f"{code}_{province}_{token}_{UNIT}_") + r"(\d{2})\.verf$")
    sent = [int(m.group(1)) for n in (os.listdir(folder) if folder.is_dir() else []) if (m := pattern.match(n))]
    return max(sent) + 1 if sent else 0


def deliver(ctx, table_name: str, code: str, batch: Batch) -> dict[str, list[VerfRecord]]:
    """Write each month of `batch` from `table_name` as a delivery of interface `code`."""
    spec = interface(code)
    outbox = ctx.cfg.path("outbox")
    order = spec.fields[0].name
    sent = {}
    for value in batch.values:
        rows = ctx.spark.table(table_name).where(F.col(spec.batch_column) == value).orderBy(order).coalesce(1)
        token = data_date_token(spec.grain, value)
        resend = next_resend(Path(outbox) / code, code, ctx.cfg.province, token)
        sent[value] = write_delivery(rows, spec, value, outbox, ctx.cfg.province, resend=resend, files=1, sort=False)
    return sent
