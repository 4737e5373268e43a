"""Table steps: rows built for the batch, written by delta_io to the table the step is named
after, then the table's after-write actions. The SQL kind is the common one."""
from __future__ import annotations

import re
from abc import abstractmethod

from bass.core.batch import Batch
from bass.core.grain import add_months
from bass.core.registry import LAYERS, Table, load_registry
from bass.orchestration.steps.base import Step, register
from bass.warehouse import delta_io, sql_runner

COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
TABLE_REF = re.compile(r"\b(" + "|".join(LAYERS) + r")\.([a-z_][a-z0-9_]*)\b")


def sql_tables(text: str) -> set[str]:
    """Registry-style table names (`layer.table`) a SQL text reads, comments left out."""
    return {f"{a}.{b}" for a, b in TABLE_REF.findall(COMMENT.sub(" ", text))}


class TableStep(Step):
    """Builds rows for a batch and replaces exactly the batch's partitions of its table."""

    def __init__(self, tbl: Table):
        super().__init__(tbl.name, tbl.batch_grain)
        self.table = tbl

    @classmethod
    def declared(cls):
        return [cls(t) for t in load_registry().values() if t.step == cls.kind]

    def inputs(self):
        return tuple(sorted(set(self.table.inputs) - {self.name}))

    def outputs(self):
        return (self.name,)

    @abstractmethod
    def build(self, ctx, batch: Batch):
        """The rows of the batch (a DataFrame of the table's columns)."""

    def run(self, ctx, batch, run, force=False):
        tbl = self.table
        if tbl.restate_months:
            batch = Batch.of("month", add_months(batch.first, -tbl.restate_months), batch.last)
        rows = self.build(ctx, batch)
        run.rows_written = delta_io.write(ctx, self.name, rows, batch.partition() if tbl.partition_by else None)
        self.after_write(ctx, batch, run)

    def after_write(self, ctx, batch: Batch, run) -> None:
        """`updates`: copy the batch's columns into another table by its keys."""
        if self.table.updates:
            target, columns = self.table.updates["table"], self.table.updates["columns"]
            written = ctx.spark.table(self.name).where(delta_io.partition_predicate(batch.partition()))
            delta_io.update_columns(ctx, target, written, columns, batch.partition())
            run.message = f"{batch.label()}; {', '.join(columns)} copied into {target}"


@register("sql")
class SqlTable(TableStep):
    """Rows from sql/<layer>/<table>.sql with the batch's and the configured parameters."""

    def inputs(self):
        return tuple(sorted((sql_tables(sql_runner.sql_text(self.name)) | set(self.table.inputs)) - {self.name}))

    def build(self, ctx, batch):
        self.ensure_command_tables(ctx)
        params = {**batch.params(), **sql_runner.configured(ctx.cfg, self.name)}
        return sql_runner.select(ctx.spark, self.name, params)

    def ensure_command_tables(self, ctx) -> None:
        """Inputs no step writes are written by a command (e.g. bass tariff survey), and optional
        inputs by a batch that may not have run yet (e.g. feedback); until then such a table
        exists empty, so the SQL reads no rows rather than failing."""
        from bass.orchestration.steps.base import all_steps
        produced = {t for s in all_steps().values() for t in s.outputs()}
        for name in self.inputs():
            if (name not in produced and not name.startswith("meta.")) or name in self.table.optional_inputs:
                delta_io.ensure_table(ctx, name)
