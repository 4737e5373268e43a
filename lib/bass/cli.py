"""`bass`: the command line (generate, run, sql, bench, demo)."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")


def _month(text: str) -> str:
    try:
        return dt.datetime.strptime(text, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month YYYY-MM, got {text!r}")


def cmd_generate(args) -> int:
    from bass.session import get_context
    from bass.simulator.generate import advance, generate
    ctx = get_context(args.env)
    out = args.out or ctx.cfg.path("landing")
    truth = args.truth or ctx.cfg.path("truth")
    if args.answer_survey:
        from bass.simulator.generate import Simulation
        from bass.simulator.survey import answer
        seed = Simulation.load(truth).seed if os.path.exists(os.path.join(truth, "simulation.json")) else 42
        try:
            done = answer(ctx.spark, ctx.cfg.path("outbox"), out, truth, ctx.cfg.province, args.answer_survey, seed)
        except ValueError as exc:
            raise SystemExit(f"bass generate --answer-survey: {exc}")
        print(f"BOSS answered survey(s) {', '.join(done['surveys'])}: {done['fb_survey']} answers -> {out}")
        return 0
    if args.advance:
        try:
            for step in advance(ctx.spark, out, ctx.cfg.path("outbox"), truth, args.advance):
                print(f"BOSS acted on the lists of {step['lists_of']}; delivered {step['month']} -> {out}")
                for code, n in sorted((k, v) for k, v in step.items() if k not in ("month", "lists_of")):
                    print(f"  {code:<15} {n:>12,d} records")
        except ValueError as exc:
            raise SystemExit(f"bass generate --advance: {exc}")
        return 0
    counts = generate(ctx.spark, out, args.users, args.start, args.days, args.months, args.seed,
                      ctx.cfg.province, truth, days_per_month=args.cdr_days_per_month,
                      horizon_months=args.horizon_months)
    print(f"simulated {args.users} users, {args.days} CDR days from {args.start}, {args.months} billing months -> {out}")
    for code, n in sorted(counts.items()):
        print(f"  {code:<15} {n:>12,d} records")
    return 0


def cmd_tariff(args) -> int:
    from bass.grain import grain
    from bass.session import get_context
    from bass.tariff import survey, whatif
    from bass.tariff.catalogue import load_proposals, proposal
    try:
        month = grain("monthly").parse(args.month)
    except ValueError as exc:
        raise SystemExit(f"--month: {exc}")
    ctx = get_context(args.env)
    if args.tariff_command == "survey":
        done = survey.sample(ctx, proposal(args.proposal), month, args.size)
        print(f"survey {done['survey_id']}: {done['sampled']} users in {done['strata']} strata -> {done['file']}")
        return 0
    chosen = [proposal(p) for p in args.proposal] if args.proposal else list(load_proposals().values())
    if not chosen:
        raise SystemExit("no proposal declared in conf/tariffs/")
    fitted = {p.id: f for p in chosen if (f := survey.fit_adoption(ctx, p))}
    for pid, f in fitted.items():
        print(f"adoption of {pid} fitted to {f['answers']} answers of survey {f['survey']}: intercept {f['intercept']}, "
              f"saving {f['saving']} (conf: {ctx.cfg.get('tariff.adoption.intercept')}, {ctx.cfg.get('tariff.adoption.saving')})")
    rows = whatif.simulate(ctx, chosen, month, fitted).collect()
    print(f"what-if of {', '.join(p.id for p in chosen)} on {month} (dm.tariff_whatif_m; charges in yuan a month):")
    print(whatif.side_by_side(rows))
    return 0


def batch_values(args, kind: str) -> list[str]:
    """The dates or months of `bass run`: --date/--month, or --from/--to (a backfill range)."""
    from bass.grain import grain
    one = args.date.isoformat() if kind == "date" and args.date else (args.month if kind == "month" else None)
    if args.from_ or args.to:
        if one or not (args.from_ and args.to):
            raise SystemExit("give either one batch (--date/--month) or a range with both --from and --to")
        try:
            return grain(kind).range(args.from_, args.to)
        except ValueError as exc:
            raise SystemExit(f"--from/--to: {exc}")
    if not one:
        raise SystemExit(f"give --{'date YYYY-MM-DD' if kind == 'date' else 'month YYYY-MM'} or --from/--to")
    return [grain(kind).parse(one)]


def cmd_run(args) -> int:
    from bass.batch import Batch
    from bass.bookkeeping import dq_results
    from bass.graph import load_pipeline, pipeline_names
    from bass.jobs import batch_kind, run_job
    from bass.pipeline import run_pipeline
    from bass.session import get_context
    if args.target in pipeline_names():
        values = batch_values(args, grain_kind(load_pipeline(args.target).grain))
        ctx = get_context(args.env)
        status = run_pipeline(ctx, args.target, values, force=args.force)
        for job, st in status.items():
            print(f"  {job:<22} {st}")
        checks = dq_results(ctx.spark, values[0], values[-1])
        if checks:
            print("  data quality (meta.dq_result):")
            for r in checks:
                print(f"    {r.batch:<10} {r.check_name:<20} {r.subject:<18} {r.severity:<8} {r.status:<7} "
                      f"{r.failed}/{r.checked} {r.detail or ''}"[:160])
        return 0 if all(s in ("SUCCESS", "SKIPPED", "UP_TO_DATE") for s in status.values()) else 1
    kind = batch_kind(args.target)
    values = batch_values(args, kind)
    run = run_job(get_context(args.env), args.target, Batch(kind, tuple(values)), force=args.force)
    print(f"{args.target} {run.batch.label()}: {run.status} read={run.rows_read} written={run.rows_written} "
          f"rejected={run.rows_rejected} {run.message}")
    return 0


def grain_kind(name: str) -> str:
    from bass.grain import grain
    return grain(name).kind


def cmd_graph(args) -> int:
    """The derived job graph: each batch's steps in run order with what they wait for."""
    import json
    from bass.graph import load_pipeline, pipeline_names
    from bass.steps import step
    names = [args.pipeline] if args.pipeline else pipeline_names()
    out = {}
    for name in names:
        p = load_pipeline(name)
        out[name] = {"grain": p.grain, "steps": [{"job": n.job, "kind": step(n.job).kind, "after": list(n.after),
                                                  "inputs": list(n.inputs), **({"at": n.at} if n.at else {})}
                                                 for n in p.nodes]}
    if args.format == "json":
        print(json.dumps(out, indent=1))
        return 0
    for name, p in out.items():
        print(f"{name} ({p['grain']})")
        for s in p["steps"]:
            extra = f"  [reads {', '.join(s['inputs'])} of other batches]" if s["inputs"] else ""
            print(f"  {s['job']:<22} {s['kind']:<9} after {', '.join(s['after']) or '-'}{extra}")
    return 0


def cmd_sql(args) -> int:
    from bass.query import run_query
    print(run_query(args.query, fmt=args.format, limit=args.limit, env=args.env))
    return 0


def cmd_maintain(args) -> int:
    from bass.maintain import maintain, summary
    from bass.session import get_context
    print(summary(maintain(get_context(args.env), args.tables or None)))
    return 0


def cmd_history(args) -> int:
    """The table's versions, or (with --as-of) its rows as they were at a version or time."""
    from bass.maintain import check_written, history
    from bass.query import format_rows
    from bass.session import get_context
    ctx = get_context(args.env)
    if args.as_of is None:
        df = history(ctx, args.table, args.limit)
    else:
        check_written(ctx, args.table)
        at = f"version as of {int(args.as_of)}" if args.as_of.isdigit() else f"timestamp as of '{args.as_of}'"
        df = ctx.spark.sql(f"select * from {args.table} {at}" + (f" where {args.where}" if args.where else ""))
    rows = df.limit(args.limit).collect()
    print(format_rows(df.columns, [tuple(r) for r in rows], args.format))
    return 0


def cmd_report_runs(args) -> int:
    from bass.runs_report import runs_report
    from bass.session import get_context
    path, found = runs_report(get_context(args.env), args.days)
    bad = [b for b in found if b["failed"] or b["failed_checks"]]
    print(f"{len(found)} batches, {len(bad)} with a failed job or check -> {path}")
    for b in bad[:10]:
        print(f"  {b['kind']} {b['batch']}: failed {', '.join(b['failed']) or '-'}; {b['failed_checks']} check(s) failed")
    return 0


def cmd_serve(args) -> int:
    from bass.config import load_config
    from bass.serve import serve_forever, start
    spark, served = start(load_config(args.env), "engineer" if args.privileged else "analyst", args.port)
    print(f"bass serve ({served['role']}): {served['url']} — {len(served['tables'])} tables; "
          f"audit trail {served['audit']}; Ctrl-C stops", flush=True)
    serve_forever(spark)
    return 0


def cmd_accounts(args) -> int:
    import getpass
    from pathlib import Path

    from bass import accounts
    from bass.config import load_config
    path = Path(load_config(args.env).path("accounts"))
    if args.accounts_command == "add":
        password = os.environ.get("BASS_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
        accounts.add(path, args.name, args.role, password)
        print(f"{args.name} ({args.role}) in {path}")
    elif args.accounts_command == "remove":
        print(f"{args.name} removed" if accounts.remove(path, args.name) else f"no account {args.name} in {path}")
    else:
        for name, role in accounts.listing(path):
            print(f"{name:<24} {role}")
    return 0


def cmd_airflow_export(args) -> int:
    from pathlib import Path

    from bass.airflow_plan import export
    from bass.config import load_config
    cfg = load_config(args.env)
    out = export(cfg, Path(args.out or Path(cfg.path("home")) / "airflow" / "dags"))
    print(f"DAGs {', '.join(cfg.get('airflow.dags'))} -> {out} (bass_dags.py + bass_plan.json)")
    return 0


def cmd_report_business(args) -> int:
    from bass.business_report import business_report
    from bass.session import get_context
    print(f"business report -> {business_report(get_context(args.env), args.month)}")
    return 0


def cmd_api(args) -> int:
    import json

    from bass import api
    from bass.config import load_config
    cfg = load_config(args.env)
    if args.api_command == "export":
        from bass.session import get_context
        path, rows = api.export(get_context(args.env), args.month)
        print(f"serving snapshot: {rows:,} subscribers -> {path}")
    elif args.api_command == "bench":
        print(json.dumps(api.bench_local(api.snapshot_path(cfg), args.requests, args.concurrency)))
    else:
        port = args.port or int(cfg.get("api.port"))
        server = api.make_server(api.Lookup(api.snapshot_path(cfg), api.token_from_env(cfg)), cfg.get("api.host"), port)
        print(f"bass api: http://{cfg.get('api.host')}:{port}/v1/subscribers/<msisdn> (bearer token); Ctrl-C stops",
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.server_close()
    return 0


def cmd_docs(args) -> int:
    from bass import dictionary
    if args.check:
        if dictionary.is_current():
            print(f"{dictionary.DICTIONARY} is up to date")
            return 0
        print(f"{dictionary.DICTIONARY} is out of date with conf/tables/ and conf/interfaces/: run `bass docs`",
              file=sys.stderr)
        return 1
    print(f"wrote {dictionary.write()}")
    return 0


def cmd_ml_evaluate_csv(args) -> int:
    import json
    from bass.ml.csv_check import evaluate_csv
    from bass.session import get_context
    ctx = get_context(args.env)
    from bass.ml.trainer import Settings
    result = evaluate_csv(ctx.spark, Settings.of(ctx.cfg), args.csv, args.label, args.positive, args.id, args.test_csv,
                          args.seed)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_ml_train_churn(args) -> int:
    import json
    from bass.ml.churn import synthetic_check, train_churn
    from bass.session import get_context
    ctx = get_context(args.env)
    if args.truth:
        print(json.dumps(synthetic_check(ctx, args.horizon or int(ctx.cfg.get("ml.churn.horizon_months", 1)))))
        return 0
    try:
        run = train_churn(ctx, args.horizon, args.until)
    except ValueError as exc:
        raise SystemExit(f"bass ml train-churn: {exc}")
    print(json.dumps({"run_id": run.run_id, "model": run.kind, **run.windows.describe(),
                      "selection_auc": round(run.selection_auc, 4), "test_roc_auc": round(run.metrics["roc_auc"], 4),
                      "test_pr_auc": round(run.metrics["pr_auc"], 4),
                      "test_top_decile_lift": round(run.metrics["top_decile_lift"], 3),
                      "champion_auc": run.champion_auc, "promoted": run.promoted, "report": run.report}))
    return 0


def cmd_ml_feature_effect(args) -> int:
    import json
    from bass.ml.feature_effect import feature_effect
    from bass.session import get_context
    ctx = get_context(args.env)
    try:
        print(json.dumps(feature_effect(ctx, args.group, args.horizon)))
    except ValueError as exc:
        raise SystemExit(f"bass ml feature-effect: {exc}")
    return 0


def cmd_ml_train(args) -> int:
    """Train the chosen model families; one JSON line each."""
    import json
    from bass.ml.families import family
    from bass.ml.train import train
    from bass.session import get_context
    try:
        runs = train(get_context(args.env), tuple(args.models.split(",")) if args.models else None, args.until,
                     horizon=args.horizon)
    except ValueError as exc:
        raise SystemExit(f"bass ml train: {exc}")
    for name, run in runs.items():
        print(json.dumps({"family": name, "run_id": run.run_id, "promoted": run.promoted, **family(name).describe(run)},
                         ensure_ascii=False))
    return 0


def cmd_demo(args) -> int:
    from bass.demo import run_demo
    from bass.session import get_context
    ok = run_demo(get_context(args.env), args.users, args.start, args.days, args.months, args.seed, args.cdr_days)
    return 0 if ok else 1


def cmd_demo_loop(args) -> int:
    from bass.demo_loop import run_loop
    from bass.session import get_context
    ok = run_loop(get_context(args.env), args.users, args.start, args.months, args.loops, args.seed, args.cdr_days)
    return 0 if ok else 1


def cmd_bench(args) -> int:
    from bass.bench import run_bench
    from bass.session import get_context
    ctx = get_context(args.env)
    run_bench(ctx, args.rows, args.home or f"{ctx.cfg.path('home')}/bench", repeat=args.repeat)
    return 0


def _province_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users", type=int, default=20_000)
    p.add_argument("--start", type=_date, default=dt.date(2026, 1, 1), help="first CDR day")
    p.add_argument("--days", type=int, default=7, help="CDR days")
    p.add_argument("--months", type=int, default=3, help="billing months from the month of --start")
    p.add_argument("--seed", type=int, default=42)


class Parser(argparse.ArgumentParser):
    """Bad arguments get one line naming what was expected (and `bass -h` for the rest)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} -h)\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="bass", description="BASS business-analysis warehouse")
    p.add_argument("--env", default=None, help="configuration environment (default: $BASS_ENV or local)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="simulate a province and write BOSS deliveries")
    _province_args(g)
    g.add_argument("--out", default=None, help="default: the landing folder")
    g.add_argument("--cdr-days-per-month", type=int, default=0,
                   help="instead of --days from --start: CDRs on the last N days of every billing month")
    g.add_argument("--truth", default=None, help="default: the truth folder")
    g.add_argument("--horizon-months", type=int, default=0,
                   help="months the simulated population spans (default --months), so --advance can go on")
    g.add_argument("--advance", type=int, default=0, metavar="N",
                   help="play BOSS for N more months: act on the lists in the outbox, deliver their feedback "
                        "and the next month's files (after a `bass generate --horizon-months`)")
    g.add_argument("--answer-survey", metavar="YYYY-MM", default=None,
                   help="play BOSS for a tariff-plan survey: answer the survey list of the month in the outbox")
    g.set_defaults(func=cmd_generate)

    tf = sub.add_parser("tariff", help="tariff simulation (资费预演): what-if of proposed plans, the survey")
    tfs = tf.add_subparsers(dest="tariff_command", required=True)
    ts = tfs.add_parser("simulate", help="what-if of proposed plans (conf/tariffs/) on a month's users, side by side")
    ts.add_argument("--proposal", action="append", default=None,
                    help="a proposal id (repeat for several; default every proposal)")
    ts.add_argument("--month", required=True)
    tv = tfs.add_parser("survey", help="draw a stratified survey sample of a proposal's target users and deliver it to BOSS")
    tv.add_argument("--proposal", required=True)
    tv.add_argument("--month", required=True)
    tv.add_argument("--size", type=int, required=True, help="users to sample (proportional to the strata)")
    for parser in (ts, tv):
        parser.set_defaults(func=cmd_tariff)

    d = sub.add_parser("demo", help="simulate a small province and run every batch end to end")
    _province_args(d)
    # six months: enough for 3-month churn labels to train and validate on; 10,000 users keep it
    # at about 10 minutes on 2 cores (the batches cost mostly per job, the models per row)
    d.add_argument("--cdr-days", type=int, default=1,
                   help="CDR days at the end of every month, so every month has handsets and traffic (0: --days days from --start)")
    d.set_defaults(months=6, users=10_000)
    d.set_defaults(func=cmd_demo)

    dl = sub.add_parser("demo-loop", help="the closed loop with BOSS month by month on a small simulated province")
    _province_args(dl)
    dl.add_argument("--loops", type=int, default=6, help="months of lists, BOSS action, feedback and evaluation")
    dl.add_argument("--cdr-days", type=int, default=1, help="CDR days at the end of every month")
    dl.set_defaults(months=5, users=10_000)
    dl.set_defaults(func=cmd_demo_loop)

    b = sub.add_parser("bench", help="time the ODS load + mid.user_usage_d against a hand-written Spark job")
    b.add_argument("--rows", type=int, default=10_000_000, help="voice CDRs to simulate (default 10 million)")
    b.add_argument("--home", default=None, help="scratch folder (default: <BASS_HOME>/bench, wiped first)")
    b.add_argument("--repeat", type=int, default=3, help="timed runs of each side; medians count (default 3)")
    b.set_defaults(func=cmd_bench)

    gr = sub.add_parser("graph", help="print the derived job graph of each batch (conf/pipelines.yml)")
    gr.add_argument("pipeline", nargs="?", help="one batch (default: all)")
    gr.add_argument("--format", choices=["text", "json"], default="text")
    gr.set_defaults(func=cmd_graph)

    r = sub.add_parser("run", help="run a batch (a pipeline of conf/pipelines.yml) or one job (a table name)")
    r.add_argument("target", help="a pipeline (daily, monthly, tariff, scoring, profiles, ...; bass graph lists them) "
                                  "or a job such as ods.cdr_voice, mid.user_usage_d")
    r.add_argument("--date", type=_date, help="the CDR day of a daily batch")
    r.add_argument("--month", type=_month, help="the month of a monthly batch")
    r.add_argument("--from", dest="from_", help="first date or month of a range (backfill)")
    r.add_argument("--to", help="last date or month of a range")
    r.add_argument("--force", action="store_true", help="rerun jobs already done and reload deliveries already loaded")
    r.set_defaults(func=cmd_run)

    o = sub.add_parser("docs", help="generate the data dictionary docs/tables.md from the table registry")
    o.add_argument("--check", action="store_true", help="only check that docs/tables.md is up to date")
    o.set_defaults(func=cmd_docs)

    m = sub.add_parser("ml", help="mining models").add_subparsers(dest="ml_command", required=True)
    e = m.add_parser("evaluate-csv", help="train and evaluate the churn pipeline on any labelled CSV; "
                                          "the last line printed is JSON (roc_auc, pr_auc, top_decile_lift, rows, model)")
    e.add_argument("--csv", required=True)
    e.add_argument("--label", required=True, help="label column")
    e.add_argument("--positive", required=True, help="label value meaning 'churned'")
    e.add_argument("--id", default=None, help="id column (not a feature)")
    e.add_argument("--test-csv", default=None, help="evaluate on this file instead of a seeded 20%% split")
    e.add_argument("--seed", type=int, default=42)
    e.set_defaults(func=cmd_ml_evaluate_csv)

    t = m.add_parser("train-churn", help="train the churn model on dm.user_wide_m (MLflow; champion if better)")
    t.add_argument("--horizon", type=int, default=None, help="label horizon in months, 1 or 3 (default: conf ml.churn)")
    t.add_argument("--until", type=_month, default=None, help="use labelled months up to this one")
    t.add_argument("--truth", action="store_true", help="also score the validation month against the simulator's truth")
    t.set_defaults(func=cmd_ml_train_churn)

    fe = m.add_parser("feature-effect", help="the churn search with and without a feature group (conf "
                                             "ml.churn.feature_groups) on the same test month: ROC-AUC and lift, "
                                             "against the simulator's truth too; registers nothing")
    fe.add_argument("--group", required=True, help="e.g. network")
    fe.add_argument("--horizon", type=int, default=None, help="label horizon in months (default: conf ml.churn)")
    fe.set_defaults(func=cmd_ml_feature_effect)

    a = m.add_parser("train", help="train churn, value and segmentation models on dm.user_wide_m (MLflow; each "
                                   "becomes champion if better on the same month)")
    a.add_argument("--models", default=None, help="comma-separated families (default: every registered family)")
    a.add_argument("--horizon", type=int, default=None, help="churn label horizon in months, 1 or 3")
    a.add_argument("--until", type=_month, default=None,
                   help="use months up to this one (segmentation: fit on this month; default the latest)")
    a.set_defaults(func=cmd_ml_train)

    rp = sub.add_parser("report", help="HTML reports").add_subparsers(dest="report_command", required=True)
    rb = rp.add_parser("business", help="the monthly business-analysis report reports/business_<month>.html: KPIs "
                                         "against last month and last year, by region, brand and plan, movers, "
                                         "model and campaign results")
    rb.add_argument("--month", default=None, help="default: the newest month of dm.kpi_cube_m")
    rb.set_defaults(func=cmd_report_business)
    rr = rp.add_parser("runs", help="the run dashboard reports/runs.html: each batch's jobs and checks, failures "
                                    "on top, trends of durations, rows and rejects")
    rr.add_argument("--days", type=int, default=28, help="runs of the last N days before the newest (default 28)")
    rr.set_defaults(func=cmd_report_runs)

    mt = sub.add_parser("maintain", help="OPTIMIZE the recent partitions of every table (bookkeeping too) and VACUUM "
                                         "what no version within the retention needs; prints files before/after")
    mt.add_argument("tables", nargs="*", help="only these tables (default: every registry table)")
    mt.set_defaults(func=cmd_maintain)

    h = sub.add_parser("history", help="a table's Delta versions (what wrote it, when), or with --as-of its rows "
                                       "as they were then (time travel, for audits)")
    h.add_argument("table")
    h.add_argument("--as-of", default=None, help="a version number or a time 'YYYY-MM-DD HH:MM:SS'")
    h.add_argument("--where", default=None, help="with --as-of: a filter, e.g. \"batch_month = '2026-03'\"")
    h.add_argument("--format", choices=["table", "csv", "json"], default="table")
    h.add_argument("--limit", type=int, default=20, help="versions or rows printed at most (default 20)")
    h.set_defaults(func=cmd_history)

    sv = sub.add_parser("serve", help="the SQL server (Spark Thrift, JDBC/ODBC: beeline, BI tools, PyHive): analysts "
                                      "see the analyst schema with personal data masked; --privileged: every table")
    sv.add_argument("--privileged", action="store_true", help="the data engineers' server: every table by name")
    sv.add_argument("--port", type=int, default=None, help="default: serve.port / serve.privileged_port")
    sv.set_defaults(func=cmd_serve)

    ac = sub.add_parser("accounts", help="accounts of the SQL server (password hashes in a local file)")
    acs = ac.add_subparsers(dest="accounts_command", required=True)
    aa = acs.add_parser("add", help="add an account or change its password (from $BASS_PASSWORD or a prompt)")
    aa.add_argument("name")
    aa.add_argument("--role", choices=["analyst", "engineer"], required=True)
    acs.add_parser("list", help="accounts and their roles")
    ar = acs.add_parser("remove", help="remove an account")
    ar.add_argument("name")
    ac.set_defaults(func=cmd_accounts)

    af = sub.add_parser("airflow", help="Airflow DAGs from the job graph").add_subparsers(dest="airflow_command",
                                                                                       required=True)
    ae = af.add_parser("export", help="write the DAG file and its plan into an Airflow DAG folder")
    ae.add_argument("--out", default=None, help="the DAG folder (default: <BASS_HOME>/airflow/dags)")
    ae.set_defaults(func=cmd_airflow_export)

    ap = sub.add_parser("api", help="the online query for BOSS: what BASS knows about an MSISDN").add_subparsers(
        dest="api_command", required=True)
    ax = ap.add_parser("export", help="write the serving snapshot from the month's scores (after the scoring batch)")
    ax.add_argument("--month", default=None, help="default: the newest scored month")
    apv = ap.add_parser("serve", help="answer GET /v1/subscribers/<msisdn> (token in $BASS_API_TOKEN)")
    apv.add_argument("--port", type=int, default=None, help="default: api.port")
    abn = ap.add_parser("bench", help="load test on 127.0.0.1: requests/s and latency percentiles")
    abn.add_argument("--requests", type=int, default=10_000)
    abn.add_argument("--concurrency", type=int, default=8)
    for parser in (ax, apv, abn):
        parser.set_defaults(func=cmd_api)

    q = sub.add_parser("sql", help="query warehouse tables by name, e.g. bass sql 'select * from dm.kpi_d'")
    q.add_argument("query")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.add_argument("--limit", type=int, default=1000, help="rows printed at most (default 1000)")
    q.set_defaults(func=cmd_sql)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("py4j", "pyspark"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not args.verbose:
        quiet_query_context_loggers()
    try:
        return args.func(args)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:   # one clear line, never a traceback (-v shows it)
        logging.getLogger("bass").debug("traceback", exc_info=True)
        print(f"bass {args.command}: {error_line(exc)}", file=sys.stderr)
        return 1


def quiet_query_context_loggers() -> None:
    """PySpark 4 logs every failed query as a JSON line with the JVM's stack trace before the
    exception reaches us; the one-line error below says it (and -v keeps the page)."""
    from pyspark.logger import PySparkLogger
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def error_line(exc: Exception) -> str:
    """The first line of an error's own message (Spark's carry a page of plan and JVM stack)."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    first = next((line.strip() for line in str(text).splitlines() if line.strip()), type(exc).__name__)
    return first if len(first) <= 400 else first[:400] + " …"


if __name__ == "__main__":
    sys.exit(main())
