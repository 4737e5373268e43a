"""The simulator's bill rating and churn hazard on hand-built rows: what the tariff simulation and
the churn models rely on."""
import datetime as dt

import pytest
from pyspark.sql import functions as F

from bass.devkit.simulator import catalog as cat
from bass.devkit.simulator.monthly import USAGE_ITEMS, rated
from bass.devkit.simulator.population import (
    CIRCLE_SIZE,
    CIRCLE_STEP,
    TREATMENT_SCHEMA,
    circle_left,
    complained_in,
    monthly_logit,
    plans_df,
    with_circle_departures,
    with_treatments,
)


def test_bills_rate_usage_against_the_plan_allowances(ctx):
    # GT58 (national): 150 minutes, 50 SMS, 500 MB included; local 0.19/min, LD 0.07/6 s, roam 0.39/min,
    # SMS 0.10, data 0.029/MB; GOTONE voice discount 0.9. EO18 (local): 100 minutes, 30 SMS, 100 MB.
    def usage(id_, plan, brand, qty, mms=0, std=None):
        """A user-month: the quantity of each item used (one record each), list fees of 99 unless given."""
        return (id_, plan, brand, mms, *[x for item in USAGE_ITEMS for x in (
            int(item in qty), (std or {}).get(item, 99.0) if item in qty else None, qty.get(item))])

    schema = "id int, plan_id string, brand string, mms int, " + ", ".join(
        f"n_{i} int, std_{i} double, qty_{i} double" for i in USAGE_ITEMS)
    rows = ctx.spark.createDataFrame([
        # 120 local minutes leave 30 for long distance: 400 units - 300 = 100 charged; roaming is never
        # included; 10 SMS over the 50, plus 2 MMS; 100 MB over the 500
        usage(1, "GT58", "GOTONE", dict(LOCAL_CALL=120.0, LD_CALL=400.0, ROAM=10.0, SMS=60.0, DATA=600.0), mms=2),
        # within the 100 minutes; a local plan's minutes do not cover LD; 200 MB over is 5.80, but never
        # above the list fee
        usage(2, "EO18", "EASYOWN", dict(LOCAL_CALL=80.0, LD_CALL=50.0, DATA=300.0), std=dict(DATA=1.0)),
    ], schema)
    got = {(r.id, r.item_code): r.act_fee for r in rated(rows, plans_df(ctx.spark).drop("brand")).collect()}
    assert got == {
        (1, "LOCAL_CALL"): 0.0,
        (1, "LD_CALL"): pytest.approx(round(100 * 0.07 * 0.9, 2)),
        (1, "ROAM"): pytest.approx(round(10 * 0.39 * 0.9, 2)),
        (1, "SMS"): pytest.approx(round(10 * 0.10 + 2 * cat.MMS_PRICE, 2)),
        (1, "DATA"): pytest.approx(round(100 * 0.029, 2)),
        (2, "LOCAL_CALL"): 0.0,
        (2, "LD_CALL"): pytest.approx(round(50 * 0.07 * 1.0, 2)),
        (2, "DATA"): 1.0,
    }


def test_contagion_counts_the_calling_circle_who_left_in_the_three_months_before(ctx):
    """User 10 leaves in month 2 (first round): the users it calls (10 + 1 + 7919k) and those who
    call it (10 − 1 − 7919k) count it in months 3 to 5 only."""
    df = ctx.spark.createDataFrame([(i, 2 if i == 10 else None) for i in range(100)], "id long, first_round int")
    rows = {r.id: r for r in with_circle_departures(df, 100)
            .select("id", *[circle_left(F.lit(m)).alias(f"m{m}") for m in range(7)]).collect()}
    exposed = {(10 + d * (1 + k * CIRCLE_STEP)) % 100 for k in range(CIRCLE_SIZE) for d in (1, -1)}
    assert len(exposed) == 2 * CIRCLE_SIZE and 10 not in exposed
    for i, r in rows.items():
        assert [r[f"m{m}"] for m in range(7)] == ([0, 0, 0, 1, 1, 1, 0] if i in exposed else [0] * 7), i


def test_churn_hazard_follows_what_happens_to_the_user(ctx):
    """A contract ending in April raises the hazard in February to April only; a user whose usage
    drifts down grows riskier month by month; a stop for arrears in March raises March to May; an
    offer accepted (a treatment for months 2-3) lowers those months only."""
    start = dt.date(2026, 1, 1)
    base = dict(brand="GOTONE", offnet_pref=0.25, complaint_prone=False, arrears_prone=False, multi_sim=False,
                vip=False, activity=1.0, drift=1.0, open_date=dt.date(2020, 1, 1), has_contract=False,
                contract_end=None, stop_start=None, rival_sim_day=None)
    users = [dict(base, id=0), dict(base, id=1, has_contract=True, contract_end=dt.date(2026, 4, 1)),
             dict(base, id=2, drift=0.8), dict(base, id=3, stop_start=dt.date(2026, 3, 10)), dict(base, id=4),
             dict(base, id=5, rival_sim_day=dt.date(2026, 3, 10))]
    df = ctx.spark.createDataFrame(users, "id long, brand string, offnet_pref double, complaint_prone boolean, "
                                   "arrears_prone boolean, multi_sim boolean, vip boolean, activity double, "
                                   "drift double, open_date date, has_contract boolean, contract_end date, stop_start date, "
                                   "rival_sim_day date")
    treated = ctx.spark.createDataFrame([(4, 2, 4, 1.5, None, None)], TREATMENT_SCHEMA)
    df = with_treatments(ctx.spark, df, treated)
    months = range(8)
    first = lambda m: F.add_months(F.lit(start), m)  # noqa: E731
    # a complaint (a random draw) raises the next month by 1.0: taken out to see the rest
    logits = df.select("id", *[(monthly_logit(7, start, F.lit(m)) - complained_in(7, first(m - 1)).cast("double"))
                               .alias(f"m{m}") for m in months]).collect()
    by_user = {r.id: [r[f"m{m}"] for m in months] for r in logits}
    lift = lambda u: [round(x - by_user[u][0], 6) for x in by_user[u]]  # noqa: E731
    assert lift(0) == [0] * 8                               # nothing happens: a constant hazard
    assert lift(1) == [0, 1.6, 1.6, 1.6, 0, 0, 0, 0]
    assert lift(3) == [0, 0, 1.0, 1.0, 1.0, 0, 0, 0]
    assert lift(4) == [0, 0, -1.5, -1.5, 0, 0, 0, 0]
    assert lift(5) == [0, 0, 0, 0.8, 0.8, 0.8, 0.8, 0.8]    # a competitor's SIM from March 10
    drift = by_user[2]
    assert all(b > a for a, b in zip(drift, drift[1:]))


def test_a_retention_offer_does_nothing_for_the_lost_causes(ctx):
    """Lost causes: a contract ending within three months of the list month, or a stop for
    arrears (the balance file's stop_count > 0, the same expression) by the month's end."""
    from bass.devkit.simulator.boss import RETENTION_SHIFT, retention_shift
    from bass.devkit.simulator.monthly import arrears_stops
    seed, may_31 = 11, dt.date(2026, 5, 31)
    rows = ctx.spark.createDataFrame([
        (1, "GOTONE", True, dt.date(2026, 5, 1), False, None),     # ends in the list month: contract_ends_3m
        (2, "MZONE", True, dt.date(2026, 8, 1), False, None),      # three months on: contract_ends_3m
        (3, "MZONE", True, dt.date(2026, 9, 1), False, None),      # four months on: the offer works
        (4, "EASYOWN", True, dt.date(2026, 4, 1), False, None),    # ended before the list month
        (5, "EASYOWN", False, dt.date(2026, 6, 1), False, None),   # no contract
        # arrears-prone users; with seed 11, users 9 and 11 had no stops before the simulation, user 10 one
        (9, "GOTONE", False, None, True, dt.date(2026, 5, 20)),     # stopped in the list month
        (10, "GOTONE", False, None, True, dt.date(2026, 6, 20)),    # an earlier stop
        (11, "GOTONE", False, None, True, dt.date(2026, 6, 20)),    # no stop by the month's end: the offer works
    ], "id long, brand string, has_contract boolean, contract_end date, arrears_prone boolean, stop_start date")
    got = rows.select("id", arrears_stops(seed, may_31).alias("stops"),
                      retention_shift(seed, "2026-05").alias("shift")).orderBy("id").collect()
    assert [r.shift for r in got[:5]] == [0.0, 0.0, RETENTION_SHIFT["MZONE"], RETENTION_SHIFT["EASYOWN"],
                                          RETENTION_SHIFT["EASYOWN"]]
    assert [(r.stops, r.shift) for r in got[5:]] == [(1, 0.0), (1, 0.0), (0, RETENTION_SHIFT["GOTONE"])]


def test_care_plants_satisfaction_by_action_and_segment_and_surveys_the_control_group(ctx):
    """BOSS's side of care: the control group's SURVEY_ONLY rows get the survey and no care; the
    planted effect of a cell is the mean over its surveyed treated users of their own two answers."""
    from bass.devkit.simulator import boss
    seed = 5
    rows = []
    for i in range(400):
        action, seg = [("DATA_GIFT", "Young M-Zone users: heavy data"), ("DATA_GIFT", "Older users: heavy data"),
                       ("PRIORITY_SERVICE", "Users: high spend"), (boss.SURVEY_ONLY, "Users: high spend")][i % 4]
        rows.append((i, f"M{i}", "c1", action, seg))
    listed = ctx.spark.createDataFrame(rows, "id long, msisdn string, campaign_id string, care_action string, segment_desc string")
    acted = (listed.withColumn("kind", F.lit("care")).withColumn("list_month", F.lit("2026-05"))
             .withColumn("reached", F.col("id") % 10 != 0).withColumn("accepted", (F.col("id") % 10 != 0) & (F.col("id") % 7 != 0)
                                                                       & (F.col("care_action") != boss.SURVEY_ONLY))
             .withColumn("care_lift", boss.care_lift()).withColumnRenamed("care_action", "action"))
    lifts = {(r.action, r.segment_desc): r.care_lift for r in acted.select("action", "segment_desc", "care_lift").distinct().collect()}
    assert lifts[("DATA_GIFT", "Young M-Zone users: heavy data")] == pytest.approx(boss.SATISFACTION_EFFECT["DATA_GIFT"] + boss.YOUNG_DATA_GIFT)
    assert lifts[("DATA_GIFT", "Older users: heavy data")] == pytest.approx(boss.SATISFACTION_EFFECT["DATA_GIFT"])
    assert lifts[(boss.SURVEY_ONLY, "Users: high spend")] == 0.0
    answers = acted.select("*", boss.satisfaction(seed, F.col("accepted")).alias("with"),
                           boss.satisfaction(seed, F.lit(False)).alias("without")).collect()
    assert all(1 <= r["with"] <= 5 and r["with"] >= r["without"] for r in answers)
    assert all(r["with"] == r["without"] for r in answers if not r.accepted)         # no care, the same answer
    truth = {(r.action, r.segment_desc): r for r in boss.care_satisfaction(acted, seed).collect()}
    assert (boss.SURVEY_ONLY, "Users: high spend") not in truth
    for key, t in truth.items():
        cell = [r for r in answers if (r.action, r.segment_desc) == key and r.reached]
        assert t.surveyed == len(cell) and t.effect == pytest.approx(sum(r["with"] - r["without"] for r in cell) / len(cell))
    young, older = truth[("DATA_GIFT", "Young M-Zone users: heavy data")], truth[("DATA_GIFT", "Older users: heavy data")]
    assert young.effect > older.effect > 0.2


def test_leavers_either_disengage_first_or_leave_abruptly_and_usage_follows_disengaging_only(ctx):
    """Usage declines from the day a user starts disengaging, never because a leaving date is
    coming: an abrupt leaver's usage is whole to the end; both kinds of leaver are common."""
    from bass.devkit.simulator.population import DISENGAGED_LOGIT, decline, drawn_logit, population
    start, end = dt.date(2026, 1, 1), dt.date(2026, 8, 31)
    pop = population(ctx.spark, 3000, 5, start, end).where(~F.col("fake"))
    left = pop.where(F.col("churn_date").isNotNull()).withColumn(
        "eve", F.date_sub("churn_date", 1)).withColumn("decline", decline("eve"))
    first_day = F.trunc("churn_date", "month")
    kinds = left.select((F.col("disengage_day") < first_day).alias("drifted"), "decline").collect()
    drifted = [r for r in kinds if r.drifted]
    abrupt = [r for r in kinds if not r.drifted]
    assert 0.2 < len(drifted) / len(kinds) < 0.8, len(drifted) / len(kinds)
    assert all(r.decline == 1.0 for r in abrupt if r.drifted is None)          # never disengaged: whole usage
    assert sum(r.decline for r in drifted) / len(drifted) < 0.8                # disengaged: usage down on the eve
    # the hazard carries disengaging: from the month after it starts, the churn logit is DISENGAGED_LOGIT higher
    k = F.month("disengage_day") - 1                                       # its month, 0 = January
    jump = (pop.where(F.col("disengage_day").isNotNull() & (k < 6)).select((drawn_logit(k + 1) - drawn_logit(k)).alias("d"))
            .agg(F.percentile_approx("d", 0.5)).first()[0])
    flat = (pop.where(F.col("disengage_day").isNull()).select((drawn_logit(F.lit(4)) - drawn_logit(F.lit(3))).alias("d"))
            .agg(F.percentile_approx("d", 0.5)).first()[0])
    assert jump == pytest.approx(DISENGAGED_LOGIT, abs=0.3) and abs(flat) < 0.3


def test_the_planted_truth_reads_the_logit_each_leaving_draw_was_compared_with(ctx):
    """A user alive and past the first 30 days leaves in month m exactly when the month's churn
    draw falls under sigmoid(drawn_logit(m)): the logit planted effects and the retention gain are
    measured against, disengaging and the calling circle included."""
    from bass.devkit.simulator.population import drawn_logit, population
    from bass.devkit.simulator.rand import sigmoid, uniform
    start, end, m = dt.date(2026, 1, 1), dt.date(2026, 6, 30), 4          # May
    first, last = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
    pop = (population(ctx.spark, 3000, 5, start, end)
           .where(~F.col("fake") & (F.col("open_date") < F.lit(dt.date(2026, 3, 1)))
                  & (F.col("churn_date").isNull() | (F.col("churn_date") >= F.lit(first)))))
    rows = pop.select(
        F.coalesce(F.col("churn_date") <= F.lit(last), F.lit(False)).alias("left"),
        (uniform(5, "churn", "id", F.lit(m)) < sigmoid(drawn_logit(F.lit(m)))).alias("drawn"),
        (F.col("disengage_day") < F.lit(first)).alias("disengaged")).collect()
    assert all(r.left == r.drawn for r in rows)
    assert sum(r.left for r in rows) >= 30 and sum(bool(r.disengaged) and r.left for r in rows) >= 10
