"""`make ml-check`: the churn trainer on real and on simulated data, one JSON line.

- IBM Telco Customer Churn (../shared/data/telco_churn_ibm.csv, or BASS_IBM_CSV): evaluate-csv.
- Synthetic: simulate a province with enough months for 3-month labels, run the daily and
  monthly batches, train on the wide table and score the validation month against the
  simulator's ground truth (BASS_HOME should be a scratch folder; the Makefile uses var/ml-check).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys

from bass.config import REPO_ROOT


def main() -> int:
    from bass.ml.churn import synthetic_check
    from bass.ml.csv_check import evaluate_csv
    from bass.pipeline import run_pipeline
    from bass.session import get_context
    from bass.simulator.generate import generate, timeline

    ctx = get_context(None)
    ibm_csv = os.environ.get("BASS_IBM_CSV", str(REPO_ROOT.parent / "shared" / "data" / "telco_churn_ibm.csv"))
    ibm = evaluate_csv(ctx.spark, ibm_csv, "Churn", "Yes", "customerID")
    print(f"IBM Telco: {json.dumps(ibm)}", flush=True)

    # CDRs on the last 3 days of every month, so usage features (off-net share, forwarding,
    # multi-SIM...) exist in the training and the validation months
    users, start, months, per_month = int(os.environ.get("BASS_CHECK_USERS", 10_000)), dt.date(2026, 1, 1), 6, 3
    generate(ctx.spark, ctx.cfg.path("landing"), users, start, 0, months, 42, ctx.cfg.province, ctx.cfg.path("truth"),
             days_per_month=per_month)
    cdr_days, bill_months = timeline(start, 0, months, per_month)
    daily = run_pipeline(ctx, "daily", [d.isoformat() for d in cdr_days])
    monthly = run_pipeline(ctx, "monthly", bill_months)
    bad = {j: s for j, s in {**daily, **monthly}.items() if s not in ("SUCCESS", "SKIPPED", "UP_TO_DATE")}
    if bad:
        print(f"batches failed: {bad}", file=sys.stderr)
        return 1
    synthetic = synthetic_check(ctx, 3)
    print(f"synthetic: {json.dumps(synthetic)}", flush=True)
    print(json.dumps({"ibm_roc_auc": ibm["roc_auc"], "synthetic_roc_auc": synthetic["roc_auc"],
                      "synthetic_top_decile_lift": synthetic["top_decile_lift"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
