"""A user's reasons are the features that raised this user's score in the model that scored
them, whatever the features' units."""
import math
import random

from pyspark.sql import functions as F

from bass.ml import features
from bass.ml.churn import explain, reason_words, search
from bass.ml.churn.candidates import Candidate, Member

LABELS = {"minutes_drop": "Fall in call minutes", "offnet_share": "Share of calls to other networks",
          "plan": "Plan"}


def rows(spark, n=600, seed=4):
    """Leaving is driven by a fall in minutes (thousands) and, more weakly, the off-net share
    (0-1); the plan is noise. One known user: a huge fall, a typical share."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        drop, share = rnd.uniform(0, 5000), rnd.random()
        if i == 0:
            drop, share = 4990.0, 0.5
        risk = drop / 5000 * 3 + share * 0.8 + rnd.gauss(0, 0.4)
        out.append((f"U{i}", drop, share, rnd.choice(["A", "B"]), int(risk > 2.3)))
    return spark.createDataFrame(out, "user_id string, minutes_drop double, offnet_share double, plan string, label int")


def first_reasons(spark, member, members=()):
    df = rows(spark)
    spec = features.detect(df, ["user_id", "label"])
    trained = search.fit(df, spec, Candidate(members or (member,)))
    scored = explain.reasons(trained.model, search.score(trained, df), LABELS)
    return {r.user_id: r for r in scored.collect()}


def test_linear_reason_is_the_driver_not_the_unit(spark):
    got = first_reasons(spark, Member("logistic_regression", (("regParam", 0.01),)))
    u0 = got["U0"]
    assert u0.first_reason == "minutes_drop"
    assert u0.churn_reasons.startswith("Fall in call minutes: high, 4,990 vs 2,")     # the median is about 2,500
    assert "Plan" not in u0.churn_reasons.split(";")[0]
    # a user whose fall is small gets no "fall in minutes" reason
    low = [r for r in got.values() if r.minutes_drop < 500]
    assert low and all("Fall in call minutes" not in (r.churn_reasons or "") for r in low)


def test_tree_reasons_from_xgboost_path_contributions(spark):
    got = first_reasons(spark, Member("xgboost", (("n_estimators", 40), ("max_depth", 2))))
    assert got["U0"].first_reason == "minutes_drop"
    firsts = [r.first_reason for r in got.values() if r.first_reason]
    assert firsts.count("minutes_drop") > firsts.count("plan")


def test_blend_of_a_linear_model_and_a_tree_surrogate(spark):
    """A blend averages its members' contributions; the GBT member is explained by its linear surrogate."""
    got = first_reasons(spark, None, members=(Member("logistic_regression", (("regParam", 0.01),)),
                                              Member("gbt", (("maxIter", 10),))))
    assert got["U0"].first_reason == "minutes_drop"


def test_a_linear_model_also_sees_log_scaled_amounts_and_explains_them_by_their_column(spark):
    """Amounts are heavy-tailed: a linear member reads each number as is, as quantile bands and as
    log1p, and the log slots count towards their own column's reason."""
    member = Member("logistic_regression", (("regParam", 0.01),))
    df = rows(spark)
    trained = search.fit(df, features.detect(df, ["user_id", "label"]), Candidate((member,)))
    scored = search.score(trained, df)
    names = features.vector_names(scored, member.col("features"))
    assert {"minutes_drop__imp__x", "offnet_share__imp__x"} <= set(names)
    u0 = scored.where("user_id = 'U0'").select(member.col("features")).first()[0]
    assert abs(u0[names.index("minutes_drop__imp__x")] - math.log1p(4990.0)) < 1e-9
    assert features.source("minutes_drop__imp__x") == "minutes_drop"


def test_a_missing_category_is_never_a_reason(spark):
    """Users with no handset seen leave more often, so the blank level raises their score; an agent
    is told the users' other reasons, not "Handset maker: (blank)"."""
    rnd = random.Random(9)
    data = []
    for i in range(600):
        drop, maker = rnd.uniform(0, 5000), rnd.choice(["Huawei", "Apple", None, None])
        risk = drop / 5000 * 1.5 + (2.0 if maker is None else 0.0) + rnd.gauss(0, 0.4)
        data.append((f"U{i}", drop, maker, int(risk > 2.0)))
    df = spark.createDataFrame(data, "user_id string, minutes_drop double, handset_maker string, label int")
    trained = search.fit(df, features.detect(df, ["user_id", "label"]),
                          Candidate((Member("logistic_regression", (("regParam", 0.01),)),)))
    got = explain.reasons(trained.model, search.score(trained, df), {"handset_maker": "Handset maker"}).collect()
    blank = [r for r in got if r.handset_maker == features.BLANK]
    assert blank and all("Handset maker" not in (r.churn_reasons or "") for r in blank)
    assert all(r.first_reason != "handset_maker" for r in blank)
    assert any(r.first_reason == "minutes_drop" for r in blank if r.minutes_drop > 4000)


SPEND = reason_words.Reason("spend_trend", ("revenue*",),
                            "spend {change(revenue, revenue_avg3)} against the last three months ({revenue} vs {revenue_avg3} yuan)")


def test_features_of_a_business_reason_are_said_together_in_an_agents_words(spark):
    """Spend this month and its three-month mean drive leaving together: an agent reads one
    sentence about spend, not two feature labels; a feature of no reason keeps its label."""
    rnd = random.Random(5)
    data = []
    for i in range(600):
        avg3 = rnd.uniform(20, 120)
        now = avg3 * rnd.uniform(0.2, 1.2)
        if i == 0:
            now, avg3 = 20.0, 50.0
        risk = (1 - now / avg3) * 3 + rnd.gauss(0, 0.3)
        data.append((f"U{i}", now, avg3, rnd.uniform(0, 100), int(risk > 1.2)))
    df = spark.createDataFrame(data, "user_id string, revenue double, revenue_avg3 double, tenure_months double, label int")
    trained = search.fit(df, features.detect(df, ["user_id", "label"]),
                         Candidate((Member("logistic_regression", (("regParam", 0.01),)),)))
    got = {r.user_id: r for r in explain.reasons(trained.model, search.score(trained, df), {"tenure_months": "Months in the network"},
                                                 said=(SPEND,)).collect()}
    u0 = got["U0"]
    assert u0.churn_reasons.split("; ")[0] == "spend down 60 % against the last three months (20.0 vs 50.0 yuan)"
    assert u0.first_reason in ("revenue", "revenue_avg3") and "revenue" in u0.churn_features
    assert not any(r.churn_reasons.count("spend") > 1 for r in got.values() if r.churn_reasons)
    assert any("Months in the network" in (r.churn_reasons or "") for r in got.values())
    # a user of whom the sentence knows nothing is not told it
    blank = explain.reasons(trained.model, search.score(trained, df).withColumn("revenue", F.lit(None).cast("double"))
                            .withColumn("revenue_avg3", F.lit(None).cast("double")), {}, said=(SPEND,)).collect()
    assert not any("spend" in (r.churn_reasons or "") for r in blank)
    # a reason whose sentence reads a column the rows lack is left out: its features speak for themselves
    other = reason_words.Reason("other", ("revenue*",), "{missing_column}")
    alone = explain.reasons(trained.model, search.score(trained, df), {"revenue": "Revenue"}, said=(other,)).where("user_id = 'U0'")
    assert alone.first().churn_reasons.startswith("Revenue: low, 20.0 vs")


def test_every_placeholder_of_a_reason_sentence(spark):
    row = spark.createDataFrame([(10.0, 40.0, 0.0, 2, -3, None, 0.623, True, False, "Huawei")],
                                "a double, b double, z double, m1 int, m2 int, m0 int, share double, yes boolean, "
                                "no boolean, maker string")
    cases = {
        "{change(a, b)}": "down 75 %", "{change(b, a)}": "up 300 %", "{change(a, a)}": "unchanged",
        "{change(a, z)}": "up from none", "{change(a, m0)}": "unknown", "{change(m0, a)}": "unknown this month",
        "{months(m1)}": "ends in 2 months", "{months(m2)}": "ended 3 months ago", "{months(m0)}": "none",
        "{share}": "62 %", "{a|pct}": "1,000 %", "{b|int}": "40", "{b}": "40.0", "{typical(share)}": "8 %",
        "{m0}": "n/a", "{maker}{if yes: , changed}{if no: , shared}": "Huawei, changed",
    }
    for says, expected in cases.items():
        sql = reason_words.Reason("r", ("a",), says).sql({"share": 0.08}, {"maker"})
        assert row.selectExpr(f"{sql} as t").first().t == expected, says


def test_the_configured_reasons_read_only_columns_of_the_wide_table():
    """Every sentence of conf/churn_reasons.yml compiles and reads columns dm.user_wide_m has, and
    the reasons the product promises are there."""
    from bass.core.registry import table
    wide = set(table("dm.user_wide_m").column_names())
    said = reason_words.configured()
    for r in said:
        assert r.columns() <= wide, (r.name, r.columns() - wide)
    assert {"spend_trend", "usage_trend", "contract_end", "complaints", "arrears_and_stops", "forwarding_to_other_networks",
            "handset", "social_circle_leaving"} <= {r.name for r in said}
    grouped = reason_words.grouping(sorted(wide), sorted(wide), said)
    assert "fwd_offnet_share" in [sorted(wide)[i] for i in grouped["forwarding_to_other_networks"]]
