"""`bass airflow export`: the Airflow DAGs of conf `airflow.dags`, derived from the step graph.

BASS works the plan out here (tasks, commands, dependencies, deadlines) and writes it as JSON
next to a DAG file (lib/bass/ops/airflow/dags.py) that only turns it into Airflow objects: Airflow
lives in its own virtualenv and never imports BASS, and the plan is tested without Airflow.

One task per step of each batch, `spark-submit.sh <step> --date|--month <batch>`; a batch's
steps form a task group and wait for the steps they read (the graph's `after`), and a step that
reads another batch's table (the graph's `inputs`) waits for the task that builds it when that
task is in the same DAG. The batch comes from the run's logical date (in airflow.timezone), less
the batch's lag: the daily run of 2026-01-02 02:00 loads the CDR day 2026-01-01.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bass.core.config import REPO_ROOT, Config
from bass.orchestration.graph import MONTH_END, load_pipeline

DAG_FILE = Path(__file__).with_name("dags.py")


def local_date(tz: str) -> str:
    return f"logical_date.in_timezone('{tz}')"


def month_start(tz: str, lag_months: int) -> str:
    """A Jinja expression: the first day of the month `lag_months` before the logical date's."""
    expr = f"{local_date(tz)}.replace(day=1)"
    for _ in range(lag_months):
        expr = f"({expr} - macros.timedelta(days=1)).replace(day=1)"
    return expr


def batch_argument(grain: str, lag: int, tz: str, at: str | None = None) -> str:
    """The `--date` / `--month` argument of a task, as an Airflow template."""
    if grain == "daily":
        return f"--date {{{{ macros.ds_add({local_date(tz)}.strftime('%Y-%m-%d'), -{lag}) }}}}"
    start = month_start(tz, lag)
    if at == MONTH_END:   # a daily step of a monthly batch: the month's last day
        last = f"(({start} + macros.timedelta(days=32)).replace(day=1) - macros.timedelta(days=1))"
        return f"--date {{{{ {last}.strftime('%Y-%m-%d') }}}}"
    return f"--month {{{{ {start}.strftime('%Y-%m') }}}}"


def batch_tasks(cfg: Config, batch: dict, built: dict[str, str]) -> list[dict]:
    """The tasks of one batch of a DAG; `built` maps the tables of earlier batches to their task."""
    p = load_pipeline(batch["pipeline"])
    lag = int(batch.get("lag_days" if p.grain == "daily" else "lag_months", 0))
    submit = REPO_ROOT / "spark-submit.sh"
    tz = cfg.get("airflow.timezone")
    tasks = []
    for node in p.nodes:
        upstream = [f"{p.name}.{d}" for d in node.after] + sorted({built[t] for t in node.inputs if t in built})
        tasks.append({"task_id": f"{p.name}.{node.step}", "group": p.name, "step": node.step,
                      "command": f"{submit} {node.step} {batch_argument(p.grain, lag, tz, node.at)}",
                      "upstream": upstream})
    return tasks


def command_tasks(commands: dict) -> list[dict]:
    """Tasks running a BASS command (e.g. maintain) with this installation's Python."""
    return [{"task_id": name, "group": None, "step": None, "upstream": [],
             "command": f"{sys.executable} -m bass.cli {' '.join(args)}"} for name, args in commands.items()]


def dag_plans(cfg: Config) -> list[dict]:
    plans = []
    for dag_id, spec in cfg.get("airflow.dags").items():
        tasks, built = [], {}
        for batch in spec.get("batches", []):
            new = batch_tasks(cfg, batch, built)
            built.update({t["step"]: t["task_id"] for t in new})
            tasks += new
        tasks += command_tasks(spec.get("commands", {}))
        plans.append({"dag_id": dag_id, "schedule": spec["schedule"], "description": spec.get("description", ""),
                      "deadline_hours": float(spec["deadline_hours"]), "tasks": tasks})
    return plans


def export(cfg: Config, out: Path) -> Path:
    """Write the DAG file and its plan (bass_plan.json) into an Airflow DAG folder."""
    out.mkdir(parents=True, exist_ok=True)
    plan = {
        "timezone": cfg.get("airflow.timezone"),
        "retries": int(cfg.get("airflow.retries")),
        "retry_delay_minutes": float(cfg.get("airflow.retry_delay_minutes")),
        "env": {"BASS_ENV": cfg.env, "BASS_HOME": cfg.path("home")},
        "alerts": {"file": str(Path(cfg.path("home")) / "alerts" / "airflow.jsonl"),
                   "webhook_env": cfg.get("airflow.alerts.webhook_env"),
                   "mail": cfg.get("airflow.alerts.mail") or {}},
        "dags": dag_plans(cfg),
    }
    (out / "bass_plan.json").write_text(json.dumps(plan, indent=1, ensure_ascii=False))
    shutil.copyfile(DAG_FILE, out / "bass_dags.py")
    return out
