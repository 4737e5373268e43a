"""The tariff catalogue BASS rates against: the month's BOSS catalogue (mid.product_m) and the
proposed plans declared in conf/tariffs/<id>.yml, which do not exist in BOSS yet.

A proposal file holds one plan in the catalogue's fields, who it would be offered to (`target`,
a SQL predicate over dm.plan_fit_m's columns) and, optionally, its own adoption parameters
(tariff.adoption in conf). See conf/tariffs/mz38_national.yml for every key."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.core.config import conf_dir, read_yaml
from bass.core.errors import lookup

# the rating fields of a plan (ods.product), with the type they are stored as
PLAN_FIELDS = {
    "plan_name": "string", "brand": "string", "monthly_fee": "decimal(10,2)", "incl_minutes": "int",
    "incl_sms": "int", "incl_data_mb": "int", "price_local_min": "decimal(8,3)", "price_ld_6s": "decimal(8,3)",
    "price_roam_min": "decimal(8,3)", "price_sms": "decimal(8,3)", "price_data_mb": "decimal(8,3)",
    "price_mms": "decimal(8,3)", "voice_rate": "decimal(4,3)", "net_gen": "string", "scope": "string",
}
DOMAINS = {"net_gen": ("2G", "3G", "4G"), "scope": ("LOCAL", "NATIONAL")}
CATALOGUE, PROPOSAL = "CATALOGUE", "PROPOSAL"


@dataclass(frozen=True)
class Proposal:
    id: str
    plan_id: str
    plan: dict                          # PLAN_FIELDS -> value
    target: str = "true"                # SQL predicate: who would be offered the plan
    adoption: dict = field(default_factory=dict)   # overrides of tariff.adoption


def parse_proposal(raw: dict, where: str) -> Proposal:
    for key in ("id", "plan"):
        if key not in raw:
            raise ValueError(f"{where}: missing `{key}`")
    plan = raw["plan"] or {}
    missing = [k for k in PLAN_FIELDS if k not in plan]
    if missing:
        raise ValueError(f"{where}: plan lacks {', '.join(missing)} (every field of a catalogue plan)")
    unknown = sorted(set(plan) - set(PLAN_FIELDS) - {"plan_id"})
    if unknown:
        raise ValueError(f"{where}: plan has unknown field(s) {', '.join(unknown)}")
    for name, allowed in DOMAINS.items():
        if plan[name] not in allowed:
            raise ValueError(f"{where}: plan {name} must be one of {', '.join(allowed)}, got {plan[name]!r}")
    for name, ftype in PLAN_FIELDS.items():
        if ftype != "string" and (not isinstance(plan[name], (int, float)) or plan[name] < 0):
            raise ValueError(f"{where}: plan {name} must be a number >= 0, got {plan[name]!r}")
    return Proposal(id=str(raw["id"]), plan_id=str(plan.get("plan_id", str(raw["id"]).upper())), plan=dict(plan),
                    target=str(raw.get("target", "true")), adoption=dict(raw.get("adoption") or {}))


@lru_cache(maxsize=2)
def load_proposals(folder: str | None = None) -> dict[str, Proposal]:
    out: dict[str, Proposal] = {}
    for path in sorted(Path(folder or conf_dir() / "tariffs").glob("*.yml")):
        p = parse_proposal(read_yaml(path), str(path))
        if p.id != path.stem:
            raise ValueError(f"{path}: id {p.id!r} must match the file name")
        if p.plan_id in {q.plan_id for q in out.values()}:
            raise ValueError(f"{path}: plan_id {p.plan_id} is already proposed")
        out[p.id] = p
    return out


def proposal(name: str) -> Proposal:
    return lookup(load_proposals(), "proposal", name, hint="declared in conf/tariffs/")


def proposals_df(spark: SparkSession, months: list[str], proposals: list[Proposal]) -> DataFrame:
    """The proposals as catalogue rows of each month."""
    schema = ", ".join(["plan_id string"] + [f"{k} string" for k in PLAN_FIELDS] + ["proposal_id string"])
    rows = [tuple([p.plan_id] + [str(p.plan[k]) for k in PLAN_FIELDS] + [p.id]) for p in proposals]
    df = spark.createDataFrame(rows, schema).crossJoin(spark.createDataFrame([(m,) for m in months], "batch_month string"))
    return df.select("plan_id", *[F.col(k).cast(t).alias(k) for k, t in PLAN_FIELDS.items()],
                     F.lit(PROPOSAL).alias("origin"), "proposal_id", "batch_month")


def catalogue(spark: SparkSession, months: list[str], proposals: list[Proposal]) -> DataFrame:
    """mid.tariff_plan_m's rows: each month's BOSS plans and the proposals; a proposal may not reuse
    a plan id of the catalogue."""
    boss = (spark.table("mid.product_m").where(F.col("batch_month").isin(months))
            .select("plan_id", *[F.col(k).cast(t).alias(k) for k, t in PLAN_FIELDS.items()],
                    F.lit(CATALOGUE).alias("origin"), F.lit(None).cast("string").alias("proposal_id"), "batch_month"))
    if not proposals:
        return boss
    clash = boss.where(F.col("plan_id").isin([p.plan_id for p in proposals])).select("plan_id").distinct().limit(5).collect()
    if clash:
        raise ValueError(f"proposed plan id(s) {', '.join(r.plan_id for r in clash)} exist in BOSS's catalogue: "
                         "give the proposal another plan_id in conf/tariffs/")
    return boss.unionByName(proposals_df(spark, months, proposals))
