"""Every status BASS records, in one enum. The values are the strings stored in meta.* tables
(job runs, the file registry, data-quality results), so SQL over those tables reads them as text."""
from enum import StrEnum


class Status(StrEnum):
    # a job run (meta.job_run) and a step in a pipeline run
    SUCCESS = "SUCCESS"          # ran and wrote its batch
    FAILED = "FAILED"            # raised; the error text is in the run's message
    SKIPPED = "SKIPPED"          # nothing to do: no new delivery, or a quality stage with nothing to check
    UP_TO_DATE = "UP_TO_DATE"    # built after its inputs last changed; not run
    BLOCKED = "BLOCKED"          # not run because a step it depends on failed
    # a delivered file (meta.file_registry)
    LOADED = "LOADED"
    REFUSED = "REFUSED"          # the delivery was refused; nothing of it was written
    SUPERSEDED = "SUPERSEDED"    # a later resend of the same batch replaced it
    # a data-quality check (meta.dq_result)
    PASS = "PASS"
    FAIL = "FAIL"


NOT_RUN = (Status.SKIPPED, Status.UP_TO_DATE)   # a pipeline step that had nothing to do
