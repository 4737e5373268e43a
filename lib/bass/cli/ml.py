"""`bass ml`: train the model families, the churn model alone, and measure the churn trainer."""
from __future__ import annotations

from bass.cli.args import month_arg


def cmd_ml_evaluate_csv(args) -> int:
    import json

    from bass.core.session import get_context
    from bass.ml.churn.evaluate_csv import evaluate_csv
    ctx = get_context(args.env)
    from bass.ml.churn.search import Settings
    result = evaluate_csv(ctx.spark, Settings.of(ctx.cfg), args.csv, args.label, args.positive, args.id, args.test_csv,
                          args.seed)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_ml_train_churn(args) -> int:
    import json

    from bass.core.session import get_context
    from bass.devkit.churn_truth import synthetic_check
    from bass.ml.churn.model import train_churn
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
                      "baseline_rule_auc": round(run.baseline_auc, 4), "test_pr_auc": round(run.metrics["pr_auc"], 4),
                      "test_top_decile_lift": round(run.metrics["top_decile_lift"], 3),
                      "champion_auc": run.champion_auc, "promoted": run.promoted, "report": run.report}))
    return 0


def cmd_ml_feature_effect(args) -> int:
    import json

    from bass.core.session import get_context
    from bass.devkit.churn_truth import truth_judge
    from bass.ml.churn.feature_effect import feature_effect
    ctx = get_context(args.env)
    try:
        print(json.dumps(feature_effect(ctx, args.group, args.horizon, truth_judge(ctx))))
    except ValueError as exc:
        raise SystemExit(f"bass ml feature-effect: {exc}")
    return 0


def cmd_ml_train(args) -> int:
    """Train the chosen model families; one JSON line each."""
    import json

    from bass.core.session import get_context
    from bass.ml.families import family
    from bass.ml.training import train
    ctx = get_context(args.env)
    if args.candidates:
        if not isinstance(ctx.cfg.get(args.candidates), dict):
            raise SystemExit(f"bass ml train: --candidates {args.candidates} names no candidates in the configuration")
        ctx = ctx.with_overrides({"ml.churn.candidates": ctx.cfg.get(args.candidates)})
    try:
        runs = train(ctx, tuple(args.models.split(",")) if args.models else None, args.until, horizon=args.horizon)
    except ValueError as exc:
        raise SystemExit(f"bass ml train: {exc}")
    for name, run in runs.items():
        print(json.dumps({"family": name, "run_id": run.run_id, "promoted": run.promoted, **family(name).describe(run)},
                         ensure_ascii=False))
    return 0


def add(sub) -> None:
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
    t.add_argument("--until", type=month_arg, default=None, help="use labelled months up to this one")
    t.add_argument("--truth", action="store_true", help="also score the validation month against the simulator's truth")
    t.set_defaults(func=cmd_ml_train_churn)

    fe = m.add_parser("feature-effect", help="the churn search with and without a feature group (conf "
                                             "ml.churn.feature_groups) on the same test month: ROC-AUC and lift, "
                                             "against the simulator's truth too; registers nothing")
    fe.add_argument("--group", required=True, help="e.g. network")
    fe.add_argument("--horizon", type=int, default=None, help="label horizon in months (default: conf ml.churn)")
    fe.set_defaults(func=cmd_ml_feature_effect)

    a = m.add_parser("train", help="train the model families (churn, value, segment, uplift) on dm.user_wide_m (MLflow; each "
                                   "becomes champion if better on the same month)")
    a.add_argument("--models", default=None, help="comma-separated families (default: every registered family)")
    a.add_argument("--horizon", type=int, default=None, help="churn label horizon in months, 1 or 3")
    a.add_argument("--until", type=month_arg, default=None,
                   help="use months up to this one (segmentation: fit on this month; default the latest)")
    a.add_argument("--candidates", default=None, help="the configuration key of the churn candidates to search "
                                                      "instead of ml.churn.candidates, e.g. demo.churn_candidates")
    a.set_defaults(func=cmd_ml_train)
