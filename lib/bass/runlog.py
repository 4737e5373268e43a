"""meta.job_run: every job run is recorded, success or failure, with its row counts."""
from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from bass.batch import Batch

log = logging.getLogger("bass")


@dataclass
class Run:
    job: str
    batch: Batch
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    status: str = "SUCCESS"
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    message: str = ""

    def row(self) -> dict:
        return dict(self.__dict__, batch=self.batch.label(), batch_kind=self.batch.kind,
                    batch_from=self.batch.first, batch_to=self.batch.last, ended_at=dt.datetime.now())


def record(ctx, run: Run) -> None:
    from bass import delta_io  # delta_io imports the session; keep this module light
    delta_io.append_rows(ctx, "meta.job_run", [run.row()])


@contextmanager
def job_run(ctx, job: str, batch: Batch):
    """Record the run in meta.job_run whatever happens; failures are re-raised."""
    run = Run(job=job, batch=batch)
    try:
        yield run
    except BaseException as exc:
        run.status = "FAILED"
        run.message = f"{type(exc).__name__}: {exc}"[:4000]
        log.error("%s %s failed: %s", job, batch.label(), run.message)
        log.debug(traceback.format_exc())
        record(ctx, run)
        raise
    record(ctx, run)
    log.info("%s %s %s read=%d written=%d rejected=%d %s", job, batch.label(), run.status,
             run.rows_read, run.rows_written, run.rows_rejected, run.message)
