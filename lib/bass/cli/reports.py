"""`bass report business|daily|runs` and `bass docs` (the data dictionary)."""
from __future__ import annotations

import sys


def cmd_report_business(args) -> int:
    from bass.core.session import get_context
    from bass.reports.business import business_report
    print(f"business report -> {business_report(get_context(args.env), args.month)}")
    return 0


def cmd_report_daily(args) -> int:
    from bass.core.session import get_context
    from bass.reports.daily import daily_report
    print(f"daily report -> {daily_report(get_context(args.env), args.day)}")
    return 0


def cmd_report_runs(args) -> int:
    from bass.core.session import get_context
    from bass.reports.runs import runs_report
    path, found = runs_report(get_context(args.env), args.days)
    bad = [b for b in found if b["failed"] or b["failed_checks"]]
    print(f"{len(found)} batches, {len(bad)} with a failed run or check -> {path}")
    for b in bad[:10]:
        print(f"  {b['kind']} {b['batch']}: failed {', '.join(b['failed']) or '-'}; {b['failed_checks']} check(s) failed")
    return 0


def cmd_docs(args) -> int:
    from bass.reports import dictionary
    if args.check:
        if dictionary.is_current():
            print(f"{dictionary.DICTIONARY} is up to date")
            return 0
        print(f"{dictionary.DICTIONARY} is out of date with conf/tables/ and conf/interfaces/: run `bass docs`",
              file=sys.stderr)
        return 1
    print(f"wrote {dictionary.write()}")
    return 0


def add(sub) -> None:
    rp = sub.add_parser("report", help="HTML reports").add_subparsers(dest="report_command", required=True)
    rb = rp.add_parser("business", help="the monthly business-analysis report reports/business_<month>.html: KPIs "
                                         "against last month and last year, by region, brand and plan, movers, "
                                         "model and campaign results")
    rb.add_argument("--month", default=None, help="default: the newest month of dm.kpi_cube_m")
    rb.set_defaults(func=cmd_report_business)
    rd = rp.add_parser("daily", help="the daily business-analysis report reports/daily_<day>.html: the day's new "
                                      "users, departures, usage, CDR fees and payments against the day before and "
                                      "the same day last month, and by city")
    rd.add_argument("--day", default=None, help="YYYY-MM-DD; default: the newest day of dm.kpi_d")
    rd.set_defaults(func=cmd_report_daily)
    rr = rp.add_parser("runs", help="the run dashboard reports/runs.html: each batch's runs and checks, failures "
                                    "on top, trends of durations, rows and rejects")
    rr.add_argument("--days", type=int, default=28, help="runs of the last N days before the newest (default 28)")
    rr.set_defaults(func=cmd_report_runs)
    o = sub.add_parser("docs", help="generate the data dictionary docs/tables.md from the table registry")
    o.add_argument("--check", action="store_true", help="only check that docs/tables.md is up to date")
    o.set_defaults(func=cmd_docs)
