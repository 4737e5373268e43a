"""Customer value, segmentation and the BOSS retention list on a tiny inline province.

Two kinds of users: young M-Zone data users whose bills grow 10 % a month, and older GoTone
voice users with flat bills; one user of each kind carries arrears; U2 is not billed in March.
Months 2026-01..05. The province is loaded and the three models trained once for the module.
"""
import random
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from bass.boss.delivery import check_record_counts, find_delivery
from bass.boss.writer import measure
from bass.core.interfaces import interface
from bass.core.registry import table
from bass.core.storage import LOCAL
from bass.marts.campaigns import load_campaigns
from bass.ml import segments, value
from bass.ml.training import train
from bass.orchestration.pipeline import run_pipeline
from tests.conftest import context_for
from tests.unit.frames import put

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
N = 200
CHURNERS = {7, 8}     # leave within 3 months of January and February (for the value label)


def fee(i: int, m: int) -> float:
    base = 30.0 + (i % 10) * 5
    return round(base * 1.1 ** m, 2) if i % 2 == 0 else base


def load_province(ctx):
    rnd = random.Random(3)
    wide, bills, customers = [], [], []
    for m, month in enumerate(MONTHS):
        for i in range(N):
            data_user = i % 2 == 0
            risk = rnd.random()
            arrears = i in (0, 1)
            wide.append(dict(
                user_id=f"U{i}", msisdn=f"139{i:08d}", cust_id=f"C{i}", batch_month=month, status="NORMAL",
                plan_id="MZ18" if data_user else "GT88", data_fee_avg3=5.0 + i % 7,
                brand="MZONE" if data_user else "GOTONE", age=rnd.randint(18, 26) if data_user else rnd.randint(52, 70),
                revenue_avg3=fee(i, m), billed_minutes_avg3=(20 if data_user else 600) * (1 + rnd.random() / 5),
                voice_minutes_avg3=(25 if data_user else 650) * (1 + rnd.random() / 5),
                data_mb_avg3=(4000 if data_user else 50) * (1 + rnd.random() / 5), sms_count_avg3=30.0,
                vas_fee_avg3=2.0, offnet_call_share=0.2, offnet_seconds_share=0.25, roam_call_share=0.05,
                contacts=40.0, tenure_months=24 + m, fwd_offnet_share=risk,
                arrears_days=20.0 if arrears else 0.0, arrears_amt=fee(i, m) if arrears else 0.0,
                stop_count=1 if arrears else 0, pay_ratio=0.5 if arrears else 1.0,
                churn_1m=(risk + rnd.gauss(0, 0.1) > 0.8) if m < 4 else None,
                churn_3m=(i in CHURNERS) if m < 2 else None))
            if (i, month) != (2, "2026-03"):
                bills.append(dict(user_id=f"U{i}", batch_month=month, bill_act_fee=Decimal(str(fee(i, m)))))
            customers.append(dict(cust_id=f"C{i}", cust_name=f"客户{i}", batch_month=month))
    put(ctx, "dm.user_wide_m", wide)
    put(ctx, "mid.user_bill_m", bills)
    put(ctx, "mid.customer_m", customers)
    put(ctx, "mid.product_m", [dict(plan_id=p, incl_data_mb=mb, batch_month=m)
                               for m in MONTHS for p, mb in (("MZ18", 300), ("MZ28", 1024), ("GT88", 1024))])


@pytest.fixture(scope="module")
def province(spark, tmp_path_factory):
    ctx = context_for(spark, tmp_path_factory.mktemp("value"))
    load_province(ctx)
    return ctx, train(ctx, horizon=1)   # the three families at once, as `bass ml train` does


def test_value_label_is_the_next_three_bills(province):
    ctx, _ = province
    labelled = value.with_label(ctx.spark, ctx.spark.table("dm.user_wide_m"))
    assert sorted(r[0] for r in labelled.select("batch_month").distinct().collect()) == ["2026-01", "2026-02"]
    got = {(r.user_id, r.batch_month): r.label for r in labelled.where("user_id in ('U1', 'U2', 'U7')").collect()}
    assert ("U7", "2026-01") not in got          # a leaver: the label is the revenue of users who stay
    assert got[("U1", "2026-01")] == pytest.approx(3 * 35.0)
    assert got[("U2", "2026-01")] == pytest.approx(fee(2, 1) + 0 + fee(2, 3))
    assert got[("U2", "2026-02")] == pytest.approx(0 + fee(2, 3) + fee(2, 4))


def test_value_scores_credit_and_tiers(province):
    ctx, runs = province
    run = runs["value"]
    assert (run.train_months, run.valid_month, run.promoted) == (["2026-01"], "2026-02", True)
    # growing bills: the regression beats the naive "3 x ARPU" guess, and the error is reported
    assert run.metrics["rmse"] < run.metrics["baseline_rmse"] and run.metrics["mae"] > 0
    rows = value.score_value(ctx, _month("2026-05"))
    by_user = {r.user_id: r for r in rows.collect()}
    assert len(by_user) == N
    # 100 - 20 days x 0.5 - arrears = ARPU (20) - 1 stop (15) - half unpaid (5)
    assert by_user["U0"].credit_score == pytest.approx(50.0) and by_user["U4"].credit_score == 100.0
    assert by_user["U4"].growth_potential > 3          # growing bills: positive potential
    assert abs(by_user["U5"].growth_potential) < 3     # flat bills: about none
    tiers = {t: n for t, n in rows.groupBy("value_tier").count().collect()}
    assert set(tiers) == {"A", "B", "C", "D"} and 12 <= tiers["A"] <= 28
    a = rows.where("value_tier = 'A'").agg(F.min("value_score")).first()[0]
    b = rows.where("value_tier = 'B'").agg(F.max("value_score")).first()[0]
    assert a >= b


def test_without_a_value_model_better_than_the_baseline_scoring_uses_the_baseline(province, caplog):
    """No champion (none beat 3 x ARPU): the scores still come, from the baseline, with a warning."""
    ctx, _runs = province
    bare = type(ctx)(ctx.cfg.with_overrides({"ml.value.registry_name": "bass_value_never_promoted"}), ctx.spark)
    rows = {r.user_id: r for r in value.score_value(bare, _month("2026-05")).collect()}
    assert len(rows) == N and {r.model_version for r in rows.values()} == {value.BASELINE_VERSION}
    assert rows["U5"].predicted_revenue_3m == pytest.approx(3 * fee(5, 4), abs=0.01)
    assert rows["U5"].growth_potential == pytest.approx(0.0, abs=0.01)
    assert "beaten the naive baseline" in caplog.text


def test_segments_are_described_and_sized(province):
    ctx, runs = province
    run = runs["segment"]
    assert run.k == 2 and run.promoted and run.silhouettes[2] > run.baseline_silhouette
    text = sorted(s["description"] for s in run.segments)
    assert text[0].startswith("Older GoTone users") and "heavy voice" in text[0] and "light data" in text[0]
    assert text[1].startswith("Young M-Zone users") and "heavy data" in text[1]
    rows = segments.score_segments(ctx, _month("2026-05"))
    sizes = {(r.segment_id, r.segment_desc): r.segment_size for r in rows.select("segment_id", "segment_desc", "segment_size").distinct().collect()}
    assert sorted(sizes.values()) == [N // 2, N // 2]
    young = rows.where("segment_desc like 'Young%'").select("user_id").collect()
    assert {r.user_id for r in young} == {f"U{i}" for i in range(0, N, 2)}


def test_a_segmentation_no_better_than_spend_bands_is_kept_out_and_the_bands_segment(province, monkeypatch, caplog):
    """Spend bands that separate users perfectly (a silhouette of 1) keep k-means out; without a
    champion the month is segmented by spend bands, with a warning."""
    ctx, _runs = province
    bare = type(ctx)(ctx.cfg.with_overrides({"ml.segment.registry_name": "bass_segment_never_promoted"}), ctx.spark)
    monkeypatch.setattr(segments, "baseline_silhouette", lambda model, df, k: 1.0)
    run = segments.train_segments(bare, "2026-05")
    assert not run.promoted and run.baseline_silhouette == 1.0
    rows = segments.score_segments(bare, _month("2026-05")).collect()
    assert len(rows) == N and {r.model_version for r in rows} == {segments.BASELINE_VERSION}
    k = ctx.cfg.get("ml.segment.k_min")
    by_band = {}
    for r in rows:
        by_band.setdefault(r.segment_id, []).append(r.user_id)
    assert sorted(by_band) == list(range(1, k + 1))
    spend = {f"U{i}": fee(i, 4) for i in range(N)}
    assert min(spend[u] for u in by_band[1]) >= max(spend[u] for u in by_band[k])      # band 1: the highest spend
    assert "spend bands" in caplog.text


def test_campaign_lists_and_their_boss_files(province):
    ctx, _ = province
    status = run_pipeline(ctx, "scoring", "2026-05")
    assert set(status.values()) == {"SUCCESS"}, status

    spec = interface("boss_retention_m")
    tbl = table("out.boss_retention_m")
    assert tbl.column_names() == spec.field_names() + ["batch_month"]
    listed = ctx.spark.table("out.boss_retention_m").orderBy("list_rank").collect()
    scores = ctx.spark.table("dm.churn_score_m")
    targets = ctx.spark.table("out.campaign_target_m").where("campaign_id = 'retention'")
    cut = load_campaigns()["retention"].params["min_prob"]
    assert targets.count() == scores.where(F.col("churn_prob") >= cut).count()   # every user over the cut ...
    control = {r.msisdn for r in targets.where("grp = 'control'").collect()}
    assert listed and control and len(listed) == targets.count() - len(control)  # ... the control group held back
    assert not control & {r.msisdn for r in listed}
    at_stake = {r.user_id: float(r.predicted_revenue_3m) for r in ctx.spark.table("dm.user_value_m").collect()}
    msisdn_user = {r.msisdn: r.user_id for r in scores.collect()}
    ordered = [float(r.churn_prob) * at_stake[msisdn_user[r.msisdn]] for r in listed]
    assert ordered == sorted(ordered, reverse=True)          # the largest expected loss first
    assert [r.churn_prob for r in listed] != sorted([r.churn_prob for r in listed], reverse=True)   # not by p alone
    first = listed[0]
    assert first.cust_name.startswith("客户") and first.segment_desc and first.churn_reason and "=" in first.churn_features

    # the delivery: .verf matches the data file (the loader's own checks), fields as the spec says
    outbox = ctx.cfg.path("outbox")
    delivery = find_delivery(outbox, spec.code, ctx.cfg.province, spec.grain, "2026-05")
    path = Path(delivery.data_paths()[0])
    check_record_counts(delivery, {path.name: measure(LOCAL, str(path), None)[1]})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(listed) == delivery.expected_records()
    assert all(len(line.split(spec.delimiter)) == len(spec.fields) for line in lines)
    assert [line.split("|")[:2] for line in lines] == [[str(r.list_rank), r.msisdn] for r in listed]
    assert lines[0].split("|")[5] == "202605"
    assert not control & {line.split("|")[1] for line in lines}   # control users never leave BASS

    # care and marketing: their own files, each user with its action; marketing's control group is
    # never sent, care's is sent for the satisfaction survey alone
    for code, action_field in (("boss_care_m", "care_action"), ("boss_campaign_m", "offer_code")):
        other = interface(code)
        sent = find_delivery(outbox, code, ctx.cfg.province, other.grain, "2026-05")
        rows = [dict(zip(other.field_names(), line.split("|"))) for line in
                Path(sent.data_paths()[0]).read_text(encoding="utf-8").splitlines()]
        campaign = rows[0]["campaign_id"]
        held = {r.msisdn for r in ctx.spark.table("out.campaign_target_m")
                .where((F.col("campaign_id") == campaign) & (F.col("grp") == "control")).collect()}
        assert rows and held and all(r[action_field] for r in rows)
        surveyed = {r["msisdn"] for r in rows if r[action_field] == "SURVEY_ONLY"}
        assert surveyed == (held if code == "boss_care_m" else set())
    assert {r["valid_until"] for r in rows} == {"202606"}      # the marketing offer: one month's period
    data_gift = ctx.spark.table("out.boss_care_m").where("care_action = 'DATA_GIFT'").select("msisdn").collect()
    assert data_gift and all(int(r.msisdn[3:]) % 2 == 0 for r in data_gift)   # the heavy data users

    # rerun: every scoring table writes the same rows; the file is delivered again as resend 01
    scored = {t: sorted(map(tuple, ctx.spark.table(t).collect()))
              for t in ("dm.user_value_m", "dm.user_segment_m", "out.campaign_target_m", "out.boss_care_m")}
    again = run_pipeline(ctx, "scoring", "2026-05", force=True)
    assert set(again.values()) == {"SUCCESS"}
    assert ctx.spark.table("out.boss_retention_m").orderBy("list_rank").collect() == listed
    assert {t: sorted(map(tuple, ctx.spark.table(t).collect())) for t in scored} == scored
    resent = find_delivery(outbox, spec.code, ctx.cfg.province, spec.grain, "2026-05")
    assert resent.resend_no == 1 and Path(resent.data_paths()[0]).read_text(encoding="utf-8").splitlines() == lines


def _month(m):
    from bass.core.batch import Batch
    return Batch.of("month", m)


def test_segments_leave_out_features_without_values(province):
    ctx, _ = province
    wide = ctx.spark.table("dm.user_wide_m").where("batch_month = '2026-05'").withColumn("roam_call_share", F.lit(None))
    names = segments.usable(ctx.cfg, segments.prepared(ctx.cfg, wide))
    assert "roam_call_share" not in names and "data_mb_avg3" in names
