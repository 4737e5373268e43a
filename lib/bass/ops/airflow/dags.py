"""BASS's Airflow DAGs (Airflow 3). Copied into the DAG folder by `bass airflow export`, next to
bass_plan.json, which says every task, command and dependency (worked out by BASS from its step
graph). This file only builds Airflow objects from the plan and reports failed or late batches;
it runs in Airflow's own virtualenv and imports nothing of BASS.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import smtplib
import urllib.request
from email.message import EmailMessage
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, TaskGroup
from airflow.timetables.trigger import CronTriggerTimetable

PLAN = json.loads((Path(__file__).with_name("bass_plan.json")).read_text())
log = logging.getLogger("bass.airflow")


def record_alert(kind: str, dag_id: str, run_id: str | None, detail: str = "") -> None:
    """A failed or late batch: a JSON line in the alerts file, then the webhook and the mail of
    the plan when configured. A webhook or mail that fails is logged; it never hides the alert."""
    alert = {"kind": kind, "dag_id": dag_id, "run_id": run_id, "detail": detail,
             "at": dt.datetime.now(dt.UTC).isoformat()}
    path = Path(PLAN["alerts"]["file"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(alert, ensure_ascii=False) + "\n")
    url = os.environ.get(PLAN["alerts"].get("webhook_env") or "", "")
    if url:
        try:
            req = urllib.request.Request(url, json.dumps(alert).encode(), {"Content-Type": "application/json"})
            urllib.request.urlopen(req, timeout=10).close()
        except OSError as exc:
            log.error("BASS alert webhook %s failed: %s", url, exc)
    mail = PLAN["alerts"].get("mail") or {}
    if mail.get("smtp_host") and mail.get("to"):
        msg = EmailMessage()
        msg["Subject"] = f"BASS batch {kind}: {dag_id} {run_id or ''}"
        msg["From"], msg["To"] = mail["from"], ", ".join(mail["to"])
        msg.set_content(json.dumps(alert, indent=1, ensure_ascii=False))
        try:
            with smtplib.SMTP(mail["smtp_host"], int(mail.get("smtp_port", 25)), timeout=30) as smtp:
                smtp.send_message(msg)
        except OSError as exc:
            log.error("BASS alert mail via %s failed: %s", mail["smtp_host"], exc)


def failed_batch(context) -> None:
    run = context["dag_run"]
    failed = [ti.task_id for ti in run.get_task_instances(state="failed")] if hasattr(run, "get_task_instances") else []
    record_alert("failed", run.dag_id, run.run_id, context.get("reason") or ", ".join(failed))


def deadline_check(deadline_hours: float):
    """A batch that finished later than its deadline (hours after the run's logical date) is
    recorded late. (Airflow 3.3's DeadlineAlert would say so while it runs, but breaks
    `airflow dags test`.)"""
    def check(context) -> None:
        run = context["dag_run"]
        due = (run.logical_date or run.run_after) + dt.timedelta(hours=deadline_hours)
        finished = run.end_date or dt.datetime.now(dt.UTC)
        if finished > due:
            record_alert("late", run.dag_id, run.run_id, f"finished {finished.isoformat()}, due {due.isoformat()}")
    return check


def build(spec: dict) -> DAG:
    dag = DAG(
        dag_id=spec["dag_id"],
        description=spec["description"],
        schedule=CronTriggerTimetable(spec["schedule"], timezone=PLAN["timezone"]),
        start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        catchup=False,
        max_active_runs=1,             # batches of one kind run one at a time, in order
        default_args={"retries": PLAN["retries"], "retry_delay": dt.timedelta(minutes=PLAN["retry_delay_minutes"]),
                      "env": PLAN["env"], "append_env": True},
        on_failure_callback=failed_batch,
        on_success_callback=deadline_check(spec["deadline_hours"]),
        tags=["bass"],
    )
    with dag:
        groups, tasks = {}, {}
        for t in spec["tasks"]:
            if t["group"] and t["group"] not in groups:
                groups[t["group"]] = TaskGroup(t["group"])
            group = groups.get(t["group"])
            task_id = t["task_id"][len(t["group"]) + 1:] if group else t["task_id"]
            tasks[t["task_id"]] = BashOperator(task_id=task_id, bash_command=t["command"], task_group=group)
        for t in spec["tasks"]:
            for up in t["upstream"]:
                tasks[up] >> tasks[t["task_id"]]
    return dag


for _spec in PLAN["dags"]:
    globals()[_spec["dag_id"]] = build(_spec)
