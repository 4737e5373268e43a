"""SCD type 2 tables (a row per version of an entity) built from a snapshot interface: merged from
the snapshots that arrived since the last build instead of rebuilt from every snapshot each month
(at 50 million users the rebuild reads years of daily snapshots). One SQL file holds the rules
for both (its `:full` parameter); the full rebuild runs when there is no table yet, with --force,
or when a snapshot at or before the last build was loaded again since (a resend changes history
the merge would not revisit), and is the incremental build's test oracle. What a build covered
is kept in the table's properties."""
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


def versions(ctx, name: str, since: dt.date | None = None):
    """The table's versions from its SQL: every one, rebuilt from all snapshots (no `since`), or
    those that change when the snapshots after `since` arrive."""
    if since is None:
        delta_io.ensure_table(ctx, name)      # the SQL names the table, though a full build reads none of it
        return sql_runner.select(ctx.spark, name, {"full": True, "since": dt.date(1900, 1, 1)})
    return sql_runner.select(ctx.spark, name, {"full": False, "since": since})


@register("scd2")
class Scd2Table(SqlTable):
    def source(self):
        """The snapshot interface the table is built from: the one ODS table its SQL reads."""
        ods = [t for t in self.inputs() if t.startswith("ods.")]
        specs = [s for s in load_interfaces().values() if s.table in ods]
        if len(specs) != 1:
            raise ValueError(f"{self.name}: an scd2 table reads exactly one snapshot interface, its SQL reads {ods}")
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
            rows = versions(ctx, self.name, since=dt.date.fromisoformat(through))
            run.rows_written = delta_io.write(ctx, self.name, rows, mode="merge")
            run.message = f"merged the snapshots after {through} through {latest}"
        else:
            run.rows_written = delta_io.write(ctx, self.name, versions(ctx, self.name), mode="overwrite")
            run.message = f"rebuilt from every snapshot through {latest}"
        ctx.spark.sql(f"alter table {self.name} set tblproperties ('{THROUGH}' = '{latest.isoformat()}', "
                      f"'{LOADED_AT}' = '{bookkeeping.newest_load(ctx, spec.code) or ''}')")
