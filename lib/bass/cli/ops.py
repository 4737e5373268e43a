"""`bass maintain` (OPTIMIZE and VACUUM), `bass backup` / `bass restore` and `bass airflow export`
(the DAGs from the step graph)."""
from __future__ import annotations


def cmd_maintain(args) -> int:
    from bass.boss.archive import prune
    from bass.core.session import get_context
    from bass.warehouse.maintain import maintain, summary
    ctx = get_context(args.env)
    print(summary(maintain(ctx, args.tables or None)))
    if not args.tables:
        months = int(ctx.cfg.get("archive.months"))
        gone = prune(ctx.cfg.path("archive"), months)
        print(f"archive of files sent to BOSS: {len(gone)} deliveries older than {months} months removed")
    return 0


def cmd_backup(args) -> int:
    from bass.core.session import get_context
    from bass.ops.backup import backup
    ctx = get_context(args.env)
    print(backup(ctx.spark, ctx.cfg, args.to).summary(f"backup to {args.to}:"))
    return 0


def cmd_restore(args) -> int:
    from bass.core.session import get_context
    from bass.ops.backup import parse_time, restore
    ctx = get_context(args.env)
    as_of = parse_time(args.as_of, ctx.cfg.get("spark.conf")["spark.sql.session.timeZone"]) if args.as_of else None
    print(restore(ctx.spark, ctx.cfg, args.source, as_of).summary(f"restored from {args.source}:"))
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
                                         "what no version within the retention needs; prints files before/after; "
                                         "removes archived files sent to BOSS longer ago than archive.months")
    mt.add_argument("tables", nargs="*", help="only these tables (default: every registry table)")
    mt.set_defaults(func=cmd_maintain)
    bk = sub.add_parser("backup", help="add a backup point: every table at its current version, the MLflow store, "
                                       "the accounts and the audit trail, copying only files not yet in the backup")
    bk.add_argument("--to", required=True, help="the backup folder (a path or hdfs://, s3a://)")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="replace the warehouse, MLflow store and accounts with a backup point's "
                                        "(stop the scheduler and the servers first)")
    rs.add_argument("--from", dest="source", required=True, help="the backup folder")
    rs.add_argument("--as-of", default=None, help="the newest point at or before this time ('YYYY-MM-DD HH:MM:SS' "
                                                  "in the warehouse's time zone); default: the newest point")
    rs.set_defaults(func=cmd_restore)
    af = sub.add_parser("airflow", help="Airflow DAGs from the step graph").add_subparsers(dest="airflow_command",
                                                                                       required=True)
    ae = af.add_parser("export", help="write the DAG file and its plan into an Airflow DAG folder")
    ae.add_argument("--out", default=None, help="the DAG folder (default: <BASS_HOME>/airflow/dags)")
    ae.set_defaults(func=cmd_airflow_export)
