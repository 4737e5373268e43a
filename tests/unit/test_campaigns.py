"""Campaign targets: control groups drawn reproducibly within priority deciles, rules matching
actions, the declarations checked, and the evaluations of a hand-built month."""
from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from bass.marts.campaigns import Campaign, Rule, assign, load_campaigns, parse_campaign
from tests.unit.frames import put

RAW = dict(id="c1", name="test", kind="retention", target="sql/campaigns/retention.sql", deliver="boss_retention_m",
           max_size=1000, control_share=0.2, seed=5, action={"code": "OFFER", "desc": "an offer"})


def campaign(**over) -> Campaign:
    return parse_campaign({**RAW, **over}, "test")


def eligible(spark, n=2000):
    return spark.range(n).select(F.format_string("U%05d", "id").alias("user_id"),
                                 F.format_string("139%08d", "id").alias("msisdn"),
                                 (F.col("id") * 7 % 1000).cast("double").alias("priority"),
                                 F.lit("why").alias("reason"), (F.col("id") % 3).alias("segment"))


def test_control_group_is_reproducible_balanced_and_within_the_cut(spark):
    c = campaign()
    rows = assign(eligible(spark), c, "2026-05").cache()
    assert rows.count() == 1000                                           # max_size, highest priority first
    assert rows.agg(F.min("priority")).first()[0] >= eligible(spark).orderBy(F.desc("priority")).limit(1000) \
        .agg(F.min("priority")).first()[0]
    per_decile = {r.decile: (r.n, r.control) for r in rows.groupBy("decile").agg(
        F.count(F.lit(1)).alias("n"), F.count_if(F.col("grp") == "control").alias("control")).collect()}
    assert sorted(per_decile) == list(range(1, 11))
    assert all(control == round(n * 0.2) for n, control in per_decile.values())   # stratified: 20 % of every decile
    again = assign(eligible(spark), c, "2026-05")
    assert sorted(map(tuple, again.collect())) == sorted(map(tuple, rows.collect()))   # same draw every run
    other = assign(eligible(spark), campaign(seed=6), "2026-05")
    control = {r.user_id for r in rows.where("grp = 'control'").collect()}
    assert control != {r.user_id for r in other.where("grp = 'control'").collect()}   # the seed decides
    ranks = [r.target_rank for r in rows.orderBy("target_rank").collect()]
    assert ranks == list(range(1, 1001))


def test_rules_match_the_first_action_and_drop_the_unmatched(spark):
    c = campaign(kind="care", action=None, rules=[
        {"code": "A", "desc": "first", "when": "segment = 0"},
        {"code": "B", "desc": "second", "when": "segment in (0, 1)"}])
    rows = {r.user_id: r.action_code for r in assign(eligible(spark, 30), c, "2026-05").collect()}
    assert rows["U00000"] == "A" and rows["U00001"] == "B" and "U00002" not in rows


@pytest.mark.parametrize("over, message", [
    (dict(kind="lottery"), "kind must be one of"),
    (dict(control_share=0), "control_share must be between"),
    (dict(rules=[{"code": "A", "desc": "x"}]), "either one `action` or a list of `rules`"),
    (dict(action={"code": "A"}), "needs desc"),
])
def test_bad_declarations_are_named(over, message):
    with pytest.raises(ValueError, match=message):
        campaign(**over)


def test_shipped_campaigns_each_deliver_their_own_file():
    found = load_campaigns()
    assert {c.kind for c in found.values()} == {"retention", "care", "marketing"}
    assert len({c.deliver for c in found.values()}) == len(found)
    assert isinstance(found["care"].rules[0], Rule)


def test_campaign_evaluation_of_a_hand_built_month(ctx):
    """20 treated (4 leave, 15 contacted, 6 respond) and 10 control (4 leave); bills 10 before
    and, for those who stay, 12 (treated) and 10 (control) after."""
    targets, labels, bills, feedback = [], [], [], []
    for i in range(30):
        grp = "treated" if i < 20 else "control"
        left = i < 4 or 20 <= i < 24
        targets.append(dict(campaign_id="ret", campaign_kind="retention", user_id=f"U{i}", msisdn=f"M{i}", grp=grp,
                            target_rank=i + 1, decile=1, priority=1.0, outcome_months=1, cost_per_contact=2.0,
                            batch_month="2026-03"))
        labels.append(dict(user_id=f"U{i}", churn_1m=left, batch_month="2026-03"))
        bills.append(dict(user_id=f"U{i}", bill_act_fee=Decimal(10), batch_month="2026-03"))
        if not left:
            bills.append(dict(user_id=f"U{i}", bill_act_fee=Decimal(12 if grp == "treated" else 10), batch_month="2026-04"))
        if grp == "treated":
            feedback.append(dict(analysis_month="2026-03", msisdn=f"M{i}", handled="Y" if i < 15 else "N",
                                 plan_taken="P" if i < 6 else None, batch_month="2026-03"))
    put(ctx, "out.campaign_target_m", targets)
    put(ctx, "dm.churn_label_m", labels)
    put(ctx, "mid.user_bill_m", bills)
    put(ctx, "ods.fb_retention", feedback)
    put(ctx, "ods.fb_care", [])
    put(ctx, "ods.fb_campaign", [])
    put(ctx, "mid.user_complaint_m", [dict(user_id=u, complaints=n, batch_month="2026-04") for u, n in (("U5", 2), ("U25", 1), ("U26", 1))])
    from bass.core.batch import Batch
    from bass.orchestration.runs import run_step
    for step in ("mid.campaign_response_m", "dm.campaign_eval_m"):
        assert run_step(ctx, step, Batch.of("month", "2026-03")).status == "SUCCESS"
    r = ctx.spark.table("dm.campaign_eval_m").first()
    assert (r.targeted, r.treated, r.control, r.contacted, r.responded) == (30, 20, 10, 15, 6)
    assert r.response_rate == pytest.approx(0.3)
    assert (r.churn_treated, r.churn_control, r.uplift) == pytest.approx((0.2, 0.4, 0.2))
    def wilson(p, n, z=1.96):
        centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
        return centre - half, centre + half
    (tl, th), (cl, ch) = wilson(0.2, 20), wilson(0.4, 10)          # Newcombe's interval of the difference
    assert (r.uplift_ci_low, r.uplift_ci_high) == pytest.approx(
        (0.2 - ((0.4 - cl) ** 2 + (th - 0.2) ** 2) ** 0.5, 0.2 + ((ch - 0.4) ** 2 + (0.2 - tl) ** 2) ** 0.5))
    assert (r.arpu_before_treated, r.arpu_after_treated, r.arpu_after_control) == pytest.approx((10, 12 * 0.8, 10 * 0.6))
    assert r.incremental_revenue == pytest.approx((9.6 - 6.0) * 20)
    assert r.cost == pytest.approx(30.0) and r.roi == pytest.approx((72.0 - 30.0) / 30.0)
    assert (r.arpu_kept_treated, r.arpu_kept_control) == pytest.approx((0.96, 0.6))
    assert (r.complaints_treated, r.complaints_control) == pytest.approx((0.1, 0.2))
    assert (r.surveyed_treated, r.satisfaction_treated, r.satisfaction_uplift) == (0, None, None)   # no survey in retention
    rows = sorted(map(tuple, ctx.spark.table("dm.campaign_eval_m").drop("batch_month").collect()))
    assert run_step(ctx, "dm.campaign_eval_m", Batch.of("month", "2026-03"), force=True).status == "SUCCESS"
    assert sorted(map(tuple, ctx.spark.table("dm.campaign_eval_m").drop("batch_month").collect())) == rows


def test_churn_model_is_judged_on_untreated_users(ctx):
    """Six untreated users (scores 0.9 .. 0.4, the 1st, 2nd and 4th leave: AUC 8/9) and two treated
    ones who would spoil it (a high score who stays, a low one who leaves)."""
    from bass.core.batch import Batch
    from bass.orchestration.runs import run_step
    probs = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    left = [True, True, False, True, False, False]
    scores = [dict(user_id=f"U{i}", churn_prob=p, model_version="bass_churn_h1 v1", batch_month="2026-03")
              for i, p in enumerate(probs)] + [dict(user_id="T1", churn_prob=0.95, batch_month="2026-03"),
                                              dict(user_id="T2", churn_prob=0.05, batch_month="2026-03")]
    labels = [dict(user_id=f"U{i}", churn_1m=x, batch_month="2026-03") for i, x in enumerate(left)] + \
        [dict(user_id="T1", churn_1m=False, batch_month="2026-03"), dict(user_id="T2", churn_1m=True, batch_month="2026-03")]
    targets = [dict(campaign_id="retention", campaign_kind="retention", user_id=u, grp=g, batch_month="2026-03")
               for u, g in (("T1", "treated"), ("T2", "treated"), ("U0", "control"), ("U2", "control"))]
    put(ctx, "dm.churn_score_m", scores)
    put(ctx, "dm.churn_label_m", labels)
    put(ctx, "out.campaign_target_m", targets)
    put(ctx, "dm.user_value_m", [dict(user_id="U0", value_tier="A", batch_month="2026-03"),
                                 dict(user_id="T1", value_tier="A", batch_month="2026-03")])
    assert run_step(ctx, "dm.churn_model_eval_m", Batch.of("month", "2026-03")).status == "SUCCESS"
    r = ctx.spark.table("dm.churn_model_eval_m").first()
    assert (r.users, r.untreated_users, r.list_size, r.list_control) == (8, 6, 4, 2)
    assert r.roc_auc_untreated == pytest.approx(8 / 9)
    assert r.churn_rate_untreated == pytest.approx(0.5) and r.churn_rate_treated == pytest.approx(0.5)
    assert r.precision_at_list == pytest.approx(0.5) and r.lift_at_list == pytest.approx(1.0)
    assert (r.high_value_churn_untreated, r.high_value_churn_treated) == pytest.approx((1.0, 0.0))
    assert r.model_version == "bass_churn_h1 v1" and r.horizon_months == 1


def test_care_is_judged_on_satisfaction_by_action_and_segment(ctx):
    """A care list: DATA_GIFT users of segment A (4 treated answer 5, 5, 4, 4; 4 control 3, 3, 4, 2) and
    VOICE_BONUS users of segment B (2 treated, one answers 4; 2 control answer 3, 3); nobody leaves."""
    from bass.core.batch import Batch
    from bass.orchestration.runs import run_step
    users = [("U0", "treated", "DATA_GIFT", "A", 5), ("U1", "treated", "DATA_GIFT", "A", 5), ("U2", "treated", "DATA_GIFT", "A", 4),
             ("U3", "treated", "DATA_GIFT", "A", 4), ("U4", "control", "DATA_GIFT", "A", 3), ("U5", "control", "DATA_GIFT", "A", 3),
             ("U6", "control", "DATA_GIFT", "A", 4), ("U7", "control", "DATA_GIFT", "A", 2), ("U8", "treated", "VOICE_BONUS", "B", 4),
             ("U9", "treated", "VOICE_BONUS", "B", None), ("U10", "control", "VOICE_BONUS", "B", 3),
             ("U11", "control", "VOICE_BONUS", "B", 3)]
    put(ctx, "out.campaign_target_m", [dict(campaign_id="care", campaign_kind="care", user_id=u, msisdn="M" + u, grp=g, action_code=a,
                                            target_rank=i + 1, outcome_months=1, cost_per_contact=2.0, batch_month="2026-03")
                                       for i, (u, g, a, _, _) in enumerate(users)])
    put(ctx, "dm.user_segment_m", [dict(user_id=u, segment_desc=s, batch_month="2026-03") for u, _, _, s, _ in users])
    put(ctx, "dm.churn_label_m", [dict(user_id=u, churn_1m=False, batch_month="2026-03") for u, *_ in users])
    put(ctx, "mid.user_bill_m", [dict(user_id=u, bill_act_fee=Decimal(10), batch_month=m) for u, *_ in users for m in ("2026-03", "2026-04")])
    put(ctx, "mid.user_complaint_m", [dict(user_id="U7", complaints=2, batch_month="2026-04")])
    put(ctx, "ods.fb_care", [dict(campaign_id="care", analysis_month="2026-03", msisdn="M" + u, executed="Y" if sat else "N",
                                  result="DONE" if sat else "UNREACHABLE", satisfaction=sat, batch_month="2026-03")
                             for u, _, _, _, sat in users])
    put(ctx, "ods.fb_retention", [])
    put(ctx, "ods.fb_campaign", [])
    for step in ("mid.campaign_response_m", "dm.campaign_eval_m", "dm.care_eval_m"):
        assert run_step(ctx, step, Batch.of("month", "2026-03")).status == "SUCCESS"
    got = {r.action_code: r for r in ctx.spark.table("dm.care_eval_m").collect()}
    gift, voice = got["DATA_GIFT"], got["VOICE_BONUS"]
    assert (gift.segment_desc, gift.treated, gift.control, gift.surveyed_treated, gift.surveyed_control) == ("A", 4, 4, 4, 4)
    assert (gift.satisfaction_treated, gift.satisfaction_control, gift.satisfaction_uplift) == pytest.approx((4.5, 3.0, 1.5))
    half = 1.96 * ((1 / 3) / 4 + (2 / 3) / 4) ** 0.5          # sample variances 1/3 and 2/3
    assert (gift.satisfaction_ci_low, gift.satisfaction_ci_high) == pytest.approx((1.5 - half, 1.5 + half))
    assert (gift.churn_treated, gift.arpu_kept_treated, gift.complaints_treated, gift.complaints_control) == pytest.approx((0.0, 1.0, 0.0, 0.5))
    assert (voice.segment_desc, voice.surveyed_treated, voice.satisfaction_uplift) == ("B", 1, pytest.approx(1.0))
    assert voice.satisfaction_ci_low is None                 # one answer has no variance: no interval
    r = ctx.spark.table("dm.campaign_eval_m").first()
    assert (r.surveyed_treated, r.surveyed_control) == (5, 6)
    assert (r.satisfaction_treated, r.satisfaction_control) == pytest.approx((22 / 5, 18 / 6))
