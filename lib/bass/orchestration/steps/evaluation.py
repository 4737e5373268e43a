"""Evaluation tables: a SQL table whose batch is also written up as an HTML report for people
(bass.reports.campaigns), as outbound tables are also written as BOSS files."""
from __future__ import annotations

from bass.orchestration.steps.base import register
from bass.orchestration.steps.table import SqlTable


@register("evaluation")
class EvaluationReport(SqlTable):
    def after_write(self, ctx, batch, run):
        from bass.reports.campaigns import campaign_report
        super().after_write(ctx, batch, run)
        paths = [campaign_report(ctx, month) for month in batch.values]
        run.message = "report " + ", ".join(str(p) for p in paths)
