"""Inbound load: one BOSS interface's deliveries into ods.<code> (bass.ods_loader)."""
from __future__ import annotations

from bass import ods_loader
from bass.batch import Batch
from bass.interfaces import load_interfaces
from bass.steps.base import Step, register


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
        loaded = ods_loader.load(ctx, self.spec.code, list(batch.values), run, force=force)
        if not loaded:
            run.status, run.message = "SKIPPED", "deliveries already loaded"
        else:   # the run covers what changed, so only that is rebuilt downstream
            run.message = f"loaded {len(loaded)} of {len(batch.values)} deliveries"
            run.batch = Batch(batch.kind, tuple(loaded))
