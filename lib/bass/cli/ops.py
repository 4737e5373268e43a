"""`bass maintain` (OPTIMIZE and VACUUM) and `bass airflow export` (the DAGs from the step graph)."""
from __future__ import annotations


def cmd_maintain(args) -> int:
    from bass.core.session import get_context
    from bass.warehouse.maintain import maintain, summary
    print(summary(maintain(get_context(args.env), args.tables or None)))
    return 0


def cmd_airflow_export(args) -> int:
    from pathlib import Path

    from bass.core.config import load_config
    from bass.ops.airflow.plan import export
    cfg = load_config(args.env)
    out = export(cfg, Path(args.out or Path(cfg.path("home")) / "airflow" / "dags"))
    print(f"DAGs {', '.join(cfg.get('airflow.dags'))} -> {out} (bass_dags.py + bass_plan.json)")
    return 0


def add(sub) -> None:
    mt = sub.add_parser("maintain", help="OPTIMIZE the recent partitions of every table (bookkeeping too) and VACUUM "
                                         "what no version within the retention needs; prints files before/after")
    mt.add_argument("tables", nargs="*", help="only these tables (default: every registry table)")
    mt.set_defaults(func=cmd_maintain)
    af = sub.add_parser("airflow", help="Airflow DAGs from the step graph").add_subparsers(dest="airflow_command",
                                                                                       required=True)
    ae = af.add_parser("export", help="write the DAG file and its plan into an Airflow DAG folder")
    ae.add_argument("--out", default=None, help="the DAG folder (default: <BASS_HOME>/airflow/dags)")
    ae.set_defaults(func=cmd_airflow_export)
