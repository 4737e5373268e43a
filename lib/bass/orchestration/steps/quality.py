"""Quality checks: a stage of conf/quality.yml, run as step dq.<stage>. Its inputs are the tables
its checks read; the step graph makes every later reader of the tables it vouches for wait for
the stage, so a failed critical check stops what would consume bad data."""
from __future__ import annotations

from bass.core.config import REPO_ROOT
from bass.core.grain import grain
from bass.core.registry import LAYERS, load_registry
from bass.orchestration.steps.base import Step, register
from bass.orchestration.steps.table import sql_tables
from bass.warehouse import quality

DATA_LAYERS = tuple(x for x in LAYERS if x != "meta")


@register("quality")
class QualityChecks(Step):
    def __init__(self, stage: quality.Stage):
        super().__init__(f"dq.{stage.name}", grain(stage.kind))
        self.stage = stage

    @classmethod
    def declared(cls):
        return [cls(s) for s in quality.stages().values()]

    def inputs(self):
        return tuple(sorted(set(self._vouched()) | {t.name for t in self._audited()}))

    def _audited(self) -> list:
        """The tables of a generated key check: audited after they are built, vouching for no reader."""
        if not any(c.for_each_table for c in self.stage.checks):
            return []
        return quality.tables_checked(self.stage.kind, self.stage.pipeline)

    def _vouched(self) -> tuple[str, ...]:
        tables = set()
        for check in self.stage.checks:
            if check.sql:
                tables |= sql_tables((REPO_ROOT / check.sql).read_text(encoding="utf-8"))
            tables |= {v for v in check.params.values() if isinstance(v, str) and v in load_registry()}
            if check.for_each_interface:
                tables |= {s.table for s in quality.interfaces_checked(check, self.stage.pipeline)}
        return tuple(sorted(tables))

    def guards(self) -> tuple[str, ...]:
        """The tables whose readers must wait for this stage: those of the highest layer its checks
        read (a MID stage vouches for MID tables; the ODS tables it compares with are its reference)."""
        read = [t for t in self._vouched() if t.split(".")[0] in DATA_LAYERS]
        top = max((DATA_LAYERS.index(t.split(".")[0]) for t in read), default=None)
        return tuple(t for t in read if DATA_LAYERS.index(t.split(".")[0]) == top)

    def run(self, ctx, batch, run, force=False):
        quality.run_stage(ctx, self.stage.name, batch, run)
