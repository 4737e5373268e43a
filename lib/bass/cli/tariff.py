"""`bass tariff simulate|survey`: what-if of proposed plans and their survey through BOSS."""
from __future__ import annotations


def cmd_tariff(args) -> int:
    from bass.core.grain import grain
    from bass.core.session import get_context
    from bass.marts.tariff import survey, whatif
    from bass.marts.tariff.catalogue import load_proposals, proposal
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


def add(sub) -> None:
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
