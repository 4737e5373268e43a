"""What-if of proposed plans (资费预演): for each target user of a proposal, what the month's usage
costs on it (dm.rerate_m) against the current plan, the chance the user takes it, and what that
does to revenue and to the number of users, overall and per brand, city and segment.

The adoption model is a logit with inertia (tariff.adoption in conf, a proposal may override):
    utility = intercept + saving * relative saving + upgrade * (a 4G plan for a 2G/3G user)
where the relative saving is (current - proposed charge) / max(current, 1) and a negative
intercept is the inertia that keeps users on their plan. Once a survey of the proposal has
feedback, `bass tariff survey-eval` fits intercept and saving to the answers and the what-if
uses the fitted values (the source is printed). Adopters who would have left stay with the
share `churn_reduction` of their churn probability (dm.churn_score_m; 0 without a score)."""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.marts.tariff.catalogue import Proposal
from bass.warehouse import delta_io

WHATIF_TABLE = "dm.tariff_whatif_m"
DIMENSIONS = ("all", "brand", "region_code", "segment")


def adoption_params(ctx, p: Proposal, fitted: dict | None = None) -> dict:
    """The proposal's adoption parameters: conf, the proposal's overrides, then the survey's fit."""
    params = {**dict(ctx.cfg.get("tariff.adoption")), **p.adoption}
    params["source"] = "conf"
    if fitted:
        params.update(intercept=fitted["intercept"], saving=fitted["saving"], source=f"survey {fitted['survey']}")
    return params


def targets(ctx, p: Proposal, month: str) -> DataFrame:
    """The proposal's target users of the month with both charges and what BASS knows of them."""
    spark = ctx.spark
    fit = spark.table("dm.plan_fit_m").where(F.col("batch_month") == month)
    new = (spark.table("dm.rerate_m").where((F.col("batch_month") == month) & (F.col("proposal_id") == p.id))
           .select("user_id", F.col("total_fee").alias("new_fee")))
    if new.limit(1).count() == 0:
        raise ValueError(f"dm.rerate_m has no rows of proposal {p.id} for {month}: run `bass run tariff --month "
                         f"{month}` (with --force when the proposal was added after that month's run)")
    score = (spark.table("dm.churn_score_m").where(F.col("batch_month") == month).select("user_id", "churn_prob")
             if spark.catalog.tableExists("dm.churn_score_m") else None)
    seg = (spark.table("dm.user_segment_m").where(F.col("batch_month") == month)
           .select("user_id", F.col("segment_desc").alias("segment"))
           if spark.catalog.tableExists("dm.user_segment_m") else None)
    df = fit.where(F.expr(p.target)).join(new, "user_id")
    for extra in (score, seg):
        if extra is not None:
            df = df.join(extra, "user_id", "left")
    for col, default in (("churn_prob", F.lit(0.0)), ("segment", F.lit("unknown"))):
        df = df.withColumn(col, F.coalesce(F.col(col), default) if col in df.columns else default)
    return df


def with_adoption(df: DataFrame, p: Proposal, params: dict) -> DataFrame:
    """Per user: the saving, the adoption probability and the expected effects of the month."""
    current, new = F.col("current_fee").cast("double"), F.col("new_fee").cast("double")
    rel_saving = (current - new) / F.greatest(current, F.lit(1.0))
    upgrade = F.lit(p.plan["net_gen"] == "4G") & F.col("net_gen").isin("2G", "3G")
    utility = (F.lit(float(params["intercept"])) + F.lit(float(params["saving"])) * rel_saving
               + F.lit(float(params["upgrade"])) * upgrade.cast("double"))
    adopt = 1.0 / (1.0 + F.exp(-utility))
    retained = adopt * F.col("churn_prob") * F.lit(float(params["churn_reduction"]))
    return (df.withColumn("rel_saving", rel_saving).withColumn("p_adopt", adopt)
            .withColumn("revenue_change", adopt * (new - current))
            .withColumn("retained_users", retained).withColumn("retained_revenue", retained * new))


def effects(users: DataFrame, p: Proposal, month: str, params: dict) -> DataFrame:
    """dm.tariff_whatif_m rows: one aggregation over (dimension, value) pairs exploded per user."""
    pairs = F.explode(F.array(*[F.struct(F.lit(d).alias("dimension"),
                                         (F.lit("ALL") if d == "all" else F.coalesce(F.col(d).cast("string"), F.lit("unknown")))
                                         .alias("value")) for d in DIMENSIONS]))
    agg = (users.select("*", pairs.alias("d")).groupBy("d.dimension", "d.value").agg(
        F.count(F.lit(1)).alias("target_users"),
        F.count(F.when(F.col("new_fee") < F.col("current_fee"), 1)).alias("better_off_users"),
        F.sum("p_adopt").alias("expected_adopters"),
        F.sum(F.col("current_fee").cast("double")).alias("revenue_now"),
        F.sum("revenue_change").alias("revenue_change"),
        F.sum("retained_users").alias("retained_users"),
        F.sum("retained_revenue").alias("retained_revenue")))
    return agg.select(
        F.lit(p.id).alias("proposal_id"), F.lit(p.plan_id).alias("plan_id"), "dimension", "value", "target_users",
        "better_off_users", F.round("expected_adopters", 1).alias("expected_adopters"),
        F.round("revenue_now", 2).cast("decimal(16,2)").alias("revenue_now"),
        F.round("revenue_change", 2).cast("decimal(16,2)").alias("revenue_change"),
        F.round("retained_users", 2).alias("retained_users"),
        F.round(F.col("revenue_change") + F.col("retained_revenue"), 2).cast("decimal(16,2)").alias("net_revenue_change"),
        F.lit(params["source"]).alias("adoption_source"), F.lit(month).alias("batch_month"))


def simulate(ctx, proposals: list[Proposal], month: str, fitted: dict | None = None) -> DataFrame:
    """Every proposal's what-if for the month, written to dm.tariff_whatif_m (merged on proposal,
    month, dimension, value); returns the rows written."""
    fitted = fitted or {}
    out = None
    for p in proposals:
        params = adoption_params(ctx, p, fitted.get(p.id))
        rows = effects(with_adoption(targets(ctx, p, month), p, params), p, month, params)
        out = rows if out is None else out.unionByName(rows)
    delta_io.write(ctx, WHATIF_TABLE, out)
    return (ctx.spark.table(WHATIF_TABLE).where((F.col("batch_month") == month) & F.col("proposal_id").isin([p.id for p in proposals])))


def side_by_side(rows: list) -> str:
    """The proposals' overall effects as a text table, the most profitable first."""
    overall = sorted((r for r in rows if r.dimension == "all"), key=lambda r: -float(r.net_revenue_change))
    head = f"{'proposal':<16} {'plan':<7} {'targets':>8} {'better off':>10} {'adopters':>9} {'revenue now':>12} " \
           f"{'change':>10} {'kept users':>10} {'net change':>11}  adoption"
    lines = [head] + [f"{r.proposal_id:<16} {r.plan_id:<7} {r.target_users:>8} {r.better_off_users:>10} "
                      f"{r.expected_adopters:>9.1f} {float(r.revenue_now):>12.2f} {float(r.revenue_change):>10.2f} "
                      f"{r.retained_users:>10.2f} {float(r.net_revenue_change):>11.2f}  {r.adoption_source}" for r in overall]
    if overall:
        lines.append(f"most profitable: {overall[0].proposal_id} ({float(overall[0].net_revenue_change):+.2f} yuan a month)")
    return "\n".join(lines)
