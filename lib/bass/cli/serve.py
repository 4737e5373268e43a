"""`bass serve` (the analysts' SQL server), `bass accounts` and `bass api` (the online query for BOSS)."""
from __future__ import annotations

import os


def cmd_serve(args) -> int:
    from bass.core.config import load_config
    from bass.serving.sql_server import serve_forever, start
    spark, served = start(load_config(args.env), "engineer" if args.privileged else "analyst", args.port)
    print(f"bass serve ({served['role']}): {served['url']} — {len(served['tables'])} tables; logins from "
          f"{served['logins']}; audit trail {served['audit']}; Ctrl-C stops", flush=True)
    serve_forever(spark)
    return 0


def cmd_accounts(args) -> int:
    import getpass
    from pathlib import Path

    from bass.core.config import load_config
    from bass.serving import accounts
    cfg = load_config(args.env)
    path = Path(cfg.path("accounts"))
    if args.accounts_command == "add":
        scope = accounts.scope_of(args.regions and args.regions.split(","), list(cfg.get("regions") or {}))
        password = os.environ.get("BASS_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
        accounts.add(path, args.name, args.role, password, scope)
        print(f"{args.name} ({args.role}, {scope}) in {path}")
    elif args.accounts_command == "remove":
        print(f"{args.name} removed" if accounts.remove(path, args.name) else f"no account {args.name} in {path}")
    else:
        for name, role, scope in accounts.listing(path):
            print(f"{name:<24} {role:<10} {scope}")
    return 0


def cmd_api(args) -> int:
    import json

    from bass.core.config import load_config
    from bass.serving import api
    cfg = load_config(args.env)
    if args.api_command == "export":
        from bass.core.session import get_context
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


def add(sub) -> None:
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
    aa.add_argument("--regions", default=None, help="comma-separated region codes (地市) the account sees on the "
                                                    "analyst server, e.g. 571,574; default: the whole province")
    acs.add_parser("list", help="accounts, their roles and scopes")
    ar = acs.add_parser("remove", help="remove an account")
    ar.add_argument("name")
    ac.set_defaults(func=cmd_accounts)
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
