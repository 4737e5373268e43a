"""Campaigns (营销管理, docs/domain.md §6.3-6.4, §10): lists BASS sends to BOSS for action, each with a
control group that is recorded here and never sent.

A campaign is declared once in conf/campaigns/<id>.yml (see retention.yml for every key). Its
target SQL (sql/campaigns/<id>.sql) returns the month's eligible users with `user_id, msisdn,
priority, reason` (and any columns its rules read); the campaign keeps the `max_size` users of
highest priority, splits them into deciles of priority and, within each decile, draws the
control group by a hash of (seed, campaign, user): the same users every rerun, and treated and
control alike in every decile. Care campaigns match users to actions with ordered `rules`
(the first whose SQL predicate holds); other campaigns give every target their one `action`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.core.config import REPO_ROOT, conf_dir, read_yaml
from bass.core.grain import MONTHLY

CAMPAIGN_KINDS = ("retention", "care", "marketing")
TREATED, CONTROL = "treated", "control"
DECILES = 10


@dataclass(frozen=True)
class Rule:
    action: str
    desc: str
    when: str                  # a SQL predicate over the target SQL's columns


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    kind: str
    target: str                # path of the target SQL, from the repository root
    deliver: str               # the outbound interface its treated users go to BOSS by
    max_size: int
    control_share: float
    seed: int
    channel: str
    period_months: int
    outcome_months: int        # churn and revenue are measured over this many months after the list
    cost_per_contact: float
    action: Rule | None = None
    rules: tuple = ()
    params: dict = field(default_factory=dict)

    def sql(self) -> str:
        return (REPO_ROOT / self.target).read_text(encoding="utf-8")


def _rule(raw: dict, where: str) -> Rule:
    missing = [k for k in ("code", "desc") if k not in raw]
    if missing:
        raise ValueError(f"{where}: an action needs {', '.join(missing)}")
    return Rule(str(raw["code"]), str(raw["desc"]), str(raw.get("when", "true")))


def parse_campaign(raw: dict, where: str) -> Campaign:
    for key in ("id", "name", "kind", "target", "deliver", "max_size", "control_share"):
        if key not in raw:
            raise ValueError(f"{where}: missing `{key}`")
    if raw["kind"] not in CAMPAIGN_KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(CAMPAIGN_KINDS)}, got {raw['kind']!r}")
    share = float(raw["control_share"])
    if not 0.0 < share < 1.0:
        raise ValueError(f"{where}: control_share must be between 0 and 1 (exclusive), got {share}")
    rules = tuple(_rule(r, where) for r in raw.get("rules") or ())
    action = _rule(raw["action"], where) if raw.get("action") else None
    if bool(rules) == bool(action):
        raise ValueError(f"{where}: give either one `action` or a list of `rules`")
    return Campaign(id=str(raw["id"]), name=str(raw["name"]), kind=raw["kind"], target=str(raw["target"]),
                    deliver=str(raw["deliver"]), max_size=int(raw["max_size"]), control_share=share,
                    seed=int(raw.get("seed", 1)), channel=str(raw.get("channel", "OUTBOUND_CALL")),
                    period_months=int(raw.get("period_months", 1)), outcome_months=int(raw.get("outcome_months", 1)),
                    cost_per_contact=float(raw.get("cost_per_contact", 0.0)), action=action, rules=rules,
                    params=dict(raw.get("params") or {}))


@lru_cache(maxsize=2)
def load_campaigns(folder: str | None = None) -> dict[str, Campaign]:
    from bass.core.interfaces import load_interfaces
    out, delivered = {}, {}
    for path in sorted(Path(folder or conf_dir() / "campaigns").glob("*.yml")):
        c = parse_campaign(read_yaml(path), str(path))
        if c.id != path.stem:
            raise ValueError(f"{path}: id {c.id!r} must match the file name")
        spec = load_interfaces().get(c.deliver)
        if spec is None or spec.direction != "out":
            raise ValueError(f"{path}: deliver {c.deliver!r} is not an outbound interface in conf/interfaces/")
        if c.deliver in delivered:   # one BOSS file per campaign
            raise ValueError(f"{path}: interface {c.deliver} already delivers campaign {delivered[c.deliver]}")
        delivered[c.deliver] = c.id
        out[c.id] = c
    return out


def actions(df: DataFrame, c: Campaign) -> DataFrame:
    """`action_code`, `action_desc` of each row: the campaign's action, or its first matching rule;
    rows no rule matches are no target."""
    rules = c.rules or (c.action,)
    code = F.lit(None).cast("string")
    desc = F.lit(None).cast("string")
    for r in reversed(rules):
        hit = F.coalesce(F.expr(r.when), F.lit(False))
        code, desc = F.when(hit, F.lit(r.action)).otherwise(code), F.when(hit, F.lit(r.desc)).otherwise(desc)
    return df.withColumn("action_code", code).withColumn("action_desc", desc).where(F.col("action_code").isNotNull())


def draw(c: Campaign, column: str = "user_id") -> F.Column:
    """The user's reproducible random number in [0, 1) for this campaign (hash of seed, campaign, user)."""
    h = F.xxhash64(F.lit(c.seed), F.lit(c.id), F.col(column))
    return (F.abs(h % 1_000_000_007) / F.lit(1_000_000_007.0)).cast("double")


def assign(eligible: DataFrame, c: Campaign, month: str) -> DataFrame:
    """The month's targets of `c` from its eligible rows: the `max_size` highest priorities
    (ties by the draw), their priority decile, and the control group drawn within each decile."""
    ranked = (actions(eligible, c).withColumn("_u", draw(c))
              .orderBy(F.desc_nulls_last("priority"), "_u").limit(c.max_size))   # top-N, no global sort
    by_rank = Window.orderBy(F.desc_nulls_last("priority"), "_u")
    ranked = ranked.withColumn("target_rank", F.row_number().over(by_rank)).withColumn(
        "decile", F.ntile(DECILES).over(by_rank))
    in_decile = Window.partitionBy("decile")
    drawn = (ranked.withColumn("_k", F.row_number().over(in_decile.orderBy("_u")))
             .withColumn("_n", F.count(F.lit(1)).over(in_decile)))
    control = F.col("_k") <= F.floor(F.col("_n") * c.control_share + 0.5)
    return drawn.select(
        F.lit(c.id).alias("campaign_id"), F.lit(c.kind).alias("campaign_kind"), "user_id", "msisdn",
        F.when(control, CONTROL).otherwise(TREATED).alias("grp"), F.col("target_rank").cast("int"),
        F.col("decile").cast("int"), F.col("priority").cast("double"), F.col("reason").cast("string"),
        "action_code", "action_desc", F.lit(c.channel).alias("channel"),
        F.lit(c.period_months).alias("period_months"), F.lit(c.outcome_months).alias("outcome_months"),
        F.lit(c.cost_per_contact).alias("cost_per_contact"),
        F.lit(month).alias("batch_month"))


def eligible(spark: SparkSession, c: Campaign, month: str) -> DataFrame:
    params = {**MONTHLY.params(month, month), **c.params}
    return spark.sql(c.sql(), args=params)


def targets(spark: SparkSession, campaigns: list[Campaign], months: list[str]) -> DataFrame:
    """Every campaign's targets for every month, treated and control."""
    parts = [assign(eligible(spark, c, m), c, m) for c in campaigns for m in months]
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out
