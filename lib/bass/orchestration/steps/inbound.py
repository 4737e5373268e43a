"""Inbound load: one BOSS interface's deliveries into ods.<code> (bass.boss.inbound)."""
from __future__ import annotations

from bass.boss import inbound
from bass.core.batch import Batch
from bass.core.interfaces import load_interfaces
from bass.core.status import Status
from bass.orchestration.steps.base import Step, register


@register("inbound")
class InboundLoad(Step):
    always_run = True

    def __init__(self, spec):
        super().__init__(spec.table, spec.batch_grain)
        self.spec = spec

    @classmethod
    def declared(cls):
        return [cls(spec) for spec in load_interfaces().values() if spec.direction == "in"]

    def outputs(self):
        return (self.spec.table,)

    def run(self, ctx, batch, run, force=False):
        loaded = inbound.load(ctx, self.spec.code, list(batch.values), run, force=force)
        if not loaded:
            run.status, run.message = Status.SKIPPED, "deliveries already loaded"
        else:   # the run covers what changed, so only that is rebuilt downstream
            run.message = f"loaded {len(loaded)} of {len(batch.values)} deliveries"
            run.batch = Batch(batch.kind, tuple(loaded))
