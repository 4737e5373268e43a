"""SCD type 2 tables (a row per version of an entity) built from a snapshot interface: merged from the snapshots that
arrived since the last build instead of rebuilt from every snapshot each month (at 50 million
users the rebuild reads years of daily snapshots). The full rebuild stays the definition and the
test oracle; it runs when there is no table yet, with --force, or when a snapshot at or before
the last build was loaded again since (a resend changes history the merge would not revisit).
What a build covered is kept in the table's properties."""
from __future__ import annotations

import datetime as dt

from pyspark.sql import functions as F

from bass.core.interfaces import load_interfaces
from bass.core.session import register_table
from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import SqlTable
from bass.warehouse import bookkeeping, delta_io, sql_runner

THROUGH = "bass.history.through"         # the newest snapshot day the table includes
LOADED_AT = "bass.history.loaded_at"     # the newest load of the source's deliveries it saw


@register("scd2")
class Scd2Table(SqlTable):
    def inputs(self):
        return tuple(sorted(set(super().inputs()) | set(self._sql_inputs(incremental=True)) - {self.name}))

    def _sql_inputs(self, incremental: bool):
        from bass.orchestration.steps.table import sql_tables
        return sql_tables(sql_runner.sql_text(self.name, incremental))

    def source(self):
        """The snapshot interface the table is built from: the one ODS table its SQL reads."""
        ods = [t for t in self._sql_inputs(incremental=False) if t.startswith("ods.")]
        specs = [s for s in load_interfaces().values() if s.table in ods]
        if len(specs) != 1:
            raise ValueError(f"{self.name}: a history table reads exactly one snapshot interface, its SQL reads {ods}")
        return specs[0]

    def properties(self, ctx) -> dict:
        if not register_table(ctx.spark, ctx.cfg, self.table):
            return {}
        return {r.key: r.value for r in ctx.spark.sql(f"show tblproperties {self.name}").collect()}

    def run(self, ctx, batch, run, force=False):
        spec = self.source()
        state = self.properties(ctx)
        through, seen = state.get(THROUGH), state.get(LOADED_AT)
        latest = ctx.spark.table(spec.table).agg(F.max(spec.batch_column)).first()[0]
        if latest is None:
            raise ValueError(f"{self.name}: {spec.table} has no snapshot yet")
        incremental = bool(through and seen and not force
                           and not bookkeeping.snapshots_reloaded(ctx, spec.code, through, seen))
        if incremental and latest.isoformat() <= through:
            run.message = f"up to date through {through}"
            return
        if incremental:
            rows = sql_runner.select(ctx.spark, self.name, {"since": dt.date.fromisoformat(through)}, incremental=True)
            run.rows_written = delta_io.write(ctx, self.name, rows, mode="merge")
            run.message = f"merged the snapshots after {through} through {latest}"
        else:
            rows = sql_runner.select(ctx.spark, self.name, batch.params())
            run.rows_written = delta_io.write(ctx, self.name, rows, mode="overwrite")
            run.message = f"rebuilt from every snapshot through {latest}"
        ctx.spark.sql(f"alter table {self.name} set tblproperties ('{THROUGH}' = '{latest.isoformat()}', "
                      f"'{LOADED_AT}' = '{bookkeeping.newest_load(ctx, spec.code) or ''}')")
