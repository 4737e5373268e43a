"""`bass generate`: simulate a province and write BOSS deliveries for every source interface.

Timeline: CDR days are `days` days from `start`; billing months are `months` months from the
month of `start`. Daily interfaces (CDRs, VAS usage, user snapshot) are delivered for each
CDR day, the user snapshot also for each month end; monthly interfaces for each billing month.
The churn ground truth goes to the truth folder, never among the BOSS files.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.boss.writer import write_delivery
from bass.core.interfaces import interface
from bass.devkit.simulator import monthly as mo
from bass.devkit.simulator import population as popmod
from bass.devkit.simulator import usage

log = logging.getLogger("bass")
ROWS_PER_FILE = 2_000_000


def add_months(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.month - 1 + n, 12)
    return dt.date(month.year + y, m + 1, 1)


def timeline(start: dt.date, days: int, months: int, days_per_month: int = 0) -> tuple[list[dt.date], list[str]]:
    """CDR days and billing months. CDR days are `days` days from `start`, or with
    `days_per_month` the last that many days of every billing month (usage in every month
    at a fraction of the volume, e.g. for model features)."""
    first = start.replace(day=1)
    bill_months = [add_months(first, i).strftime("%Y-%m") for i in range(months)]
    if days_per_month:
        cdr_days = [mo.month_bounds(m)[1] - dt.timedelta(days=k) for m in bill_months for k in range(days_per_month - 1, -1, -1)]
    else:
        cdr_days = [start + dt.timedelta(days=i) for i in range(days)]
    return cdr_days, bill_months


def _deliver(df: DataFrame, code: str, batch: str, out: str, province: str, files: int = 1) -> int:
    spec = interface(code)
    # CDRs come from the population (fixed partitions in id order) -> broadcast join -> explode: their order is stable
    recs = write_delivery(df.select(*spec.field_names()), spec, batch, out, province, files=files,
                          sort=not code.startswith(("cdr_", "vas_")))
    n = sum(r.records for r in recs)
    log.info("delivered %-15s %-10s %9d records in %d file(s)", code, batch, n, len(recs))
    return n


@dataclass(frozen=True)
class Simulation:
    """What `bass generate` simulated, kept in truth/simulation.json so that `bass generate
    --advance` can go on month by month: the population spans `horizon_months` from the start
    (every draw fixed from the first run), of which `months` are delivered so far."""
    users: int
    start: str
    days: int
    months: int
    seed: int
    province: str
    days_per_month: int = 0
    horizon_months: int = 0

    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(self.start)

    @property
    def end(self) -> dt.date:
        return mo.month_bounds(add_months(self.start_date.replace(day=1), self.horizon_months - 1).strftime("%Y-%m"))[1]

    def save(self, truth: str) -> None:
        Path(truth).mkdir(parents=True, exist_ok=True)
        (Path(truth) / STATE_FILE).write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, truth: str) -> Simulation:
        path = Path(truth) / STATE_FILE
        if not path.exists():
            raise ValueError(f"{path} not found: run `bass generate` (with --horizon-months) before --advance")
        return cls(**json.loads(path.read_text(encoding="utf-8")))


STATE_FILE = "simulation.json"


def generate(spark: SparkSession, out: str, users: int, start: dt.date, days: int, months: int, seed: int,
             province: str, truth: str, parallel: int = 4, days_per_month: int = 0, horizon_months: int = 0) -> dict:
    sim = Simulation(users, start.isoformat(), days, months, seed, province, days_per_month, max(horizon_months, months))
    cdr_days, bill_months = timeline(start, days, months, days_per_month)
    end = max(cdr_days[-1:] + [mo.month_bounds(m)[1] for m in bill_months] + [sim.end])
    pop = mo.with_groups(popmod.population(spark, users, seed, start, end), seed, users).cache()
    try:   # a failed generation must not leave its caches holding the session's memory
        counts = deliver(spark, pop, sim, out, cdr_days, bill_months, parallel)
        write_truth(pop, truth)
    finally:
        pop.unpersist()
    sim.save(truth)
    return counts


def deliver(spark: SparkSession, pop: DataFrame, sim: Simulation, out: str, cdr_days: list[dt.date],
            bill_months: list[str], parallel: int = 4) -> dict:
    """Every BOSS delivery of the CDR days and billing months from the population."""
    start, seed, users, province = sim.start_date, sim.seed, sim.users, sim.province
    month_ends = [mo.month_bounds(m)[1] for m in bill_months]
    counts: dict[str, int] = {}
    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="bass-gen")

    def deliver_all(tasks: list[tuple]) -> None:
        """Write independent deliveries concurrently: small files are dominated by fixed costs."""
        for code, n in zip([t[1] for t in tasks], pool.map(lambda t: _deliver(*t), tasks)):
            counts[code] = counts.get(code, 0) + n

    deliver_all([(mo.user_snapshot(pop, d), "user", d.isoformat(), out, province) for d in sorted(set(cdr_days) | set(month_ends))])
    files = max(1, users * 4 // ROWS_PER_FILE)
    for day in cdr_days:
        ud = usage.user_days(spark, pop, [day], origin=start)
        voice = usage.voice(ud, seed, users).unionByName(usage.visitors(spark, day, seed, users, start),
                                                         allowMissingColumns=True)
        deliver_all([(voice, "cdr_voice", day.isoformat(), out, province, files),
                     (usage.sms(ud, seed, users), "cdr_sms", day.isoformat(), out, province, files),
                     (usage.data(ud, seed), "cdr_data", day.isoformat(), out, province, files),
                     (usage.vas(ud, seed), "vas_usage", day.isoformat(), out, province)])

    refs = mo.reference(spark)
    accounts, user_accounts = mo.accounts(pop, seed, users)
    items = billed_usage(spark, pop, bill_months, start, seed, users)
    try:
        for month in bill_months:
            last = mo.month_bounds(month)[1]
            bill = mo.bills(spark, pop, items, month).cache()
            try:
                payments, balance, writeoffs = mo.payments_and_balance(pop, bill, seed, month)
                live = pop.where(F.col("open_date") <= F.lit(last))
                deliver_all([(df, code, month, out, province) for code, df in [
                    ("bill", bill), ("usage_m", mo.usage_summary(pop, items, month)), ("payment", payments),
                    ("balance", balance), ("writeoff", writeoffs), ("complaint", mo.complaints(pop, seed, month)),
                    ("customer", mo.customers(live, seed, start, users)), ("account", accounts),
                    ("user_account", user_accounts.join(live.select("user_id"), "user_id")),
                    ("contract", mo.contracts(live, seed)), ("group_customer", mo.group_customers(live, seed, users)),
                    *refs.items()]])
            finally:
                bill.unpersist()
    finally:
        items.unpersist()
        pool.shutdown()
    return counts


def billed_usage(spark: SparkSession, pop: DataFrame, bill_months: list[str], start: dt.date, seed: int,
                 users: int) -> DataFrame:
    """Usage (id, month: records, list fees and quantities by item) of every billing month,
    simulated in one pass (cached): one job for all months instead of one per month. Draws are
    keyed on days since the first CDR day, so bills see the same records as the CDR files."""
    first, last = mo.month_bounds(bill_months[0])[0], mo.month_bounds(bill_months[-1])[1]
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    ud = usage.user_days(spark, pop, days, origin=start)
    return mo.usage_items(usage.voice(ud, seed, users), usage.sms(ud, seed, users), usage.data(ud, seed),
                          usage.vas(ud, seed)).cache()


def write_truth(pop: DataFrame, truth: str) -> None:
    """Ground truth for model evaluation: who leaves, when, and the latent hazard."""
    target = Path(truth) / "churn_truth"
    shutil.rmtree(target, ignore_errors=True)
    (pop.select("user_id", "msisdn", "open_date", "churn_date", F.round("churn_p_month", 5).alias("churn_p_month"),
                "brand", "offnet_pref", "complaint_prone", "arrears_prone", "has_contract", "contract_end", "drift",
                "multi_sim", "vip", "recycled", "contagion", "fake", "channel_id", "rival_sim_day",
                F.array_join(F.transform("hazard_p", lambda x: F.format_string("%.6f", x)), ";").alias("hazard_by_month"))
     .coalesce(1).write.mode("overwrite").option("header", "true").csv(str(target)))
    (Path(truth) / "churn_model.txt").write_text(popmod.__doc__ or "", encoding="utf-8")


def month_index(sim: Simulation, month: str) -> int:
    first = sim.start_date.replace(day=1)
    m = dt.date.fromisoformat(month + "-01")
    return (m.year - first.year) * 12 + m.month - first.month


def advance(spark: SparkSession, landing: str, outbox: str, truth: str, months: int = 1, parallel: int = 4) -> list[dict]:
    """Play BOSS for `months` more months: read the lists BASS delivered for the last simulated
    month, act on them (bass.devkit.simulator.boss), deliver their feedback and the next month's files,
    whose churn, plans, bills and usage follow what was done. Deterministic for a seed and the
    same outbox."""
    done = []
    for _ in range(months):
        sim = Simulation.load(truth)
        if sim.months >= sim.horizon_months:
            raise ValueError(f"the simulation spans {sim.horizon_months} months and all are delivered: "
                             "generate again with a larger --horizon-months")
        first = sim.start_date.replace(day=1)
        listed_month, month = (add_months(first, sim.months + k).strftime("%Y-%m") for k in (-1, 0))
        counts = _advance_one(spark, sim, landing, outbox, truth, listed_month, month, parallel)
        replace(sim, months=sim.months + 1).save(truth)
        log.info("advanced to %s: acted on %s's lists", month, listed_month)
        done.append({"month": month, "lists_of": listed_month, **counts})
    return done


def _advance_one(spark: SparkSession, sim: Simulation, landing: str, outbox: str, truth: str, listed_month: str,
                 month: str, parallel: int) -> dict:
    from bass.devkit.simulator import boss
    index = month_index(sim, listed_month)
    before = boss.read_truth_table(spark, truth, boss.TREATMENTS, popmod.TREATMENT_SCHEMA)
    pop0 = _population(spark, sim, before).cache()
    actions = boss.act_on_lists(spark, pop0, outbox, sim.province, sim.seed, listed_month, index)
    pop0.unpersist()
    treatments = before.unionByName(boss.treatments_of(actions))
    pop = _population(spark, sim, treatments).cache()
    cdr_days = [d for d in timeline(sim.start_date, sim.days, sim.horizon_months, sim.days_per_month)[0]
                if d.strftime("%Y-%m") == month] if sim.days_per_month else []
    counts = deliver(spark, pop, sim, landing, cdr_days, [month], parallel)
    follow_up = boss.read_truth_table(spark, truth, boss.ACTIONS, boss.ACTION_SCHEMA).where(
        (F.col("kind") == "retention") & (F.col("list_month") == add_months(dt.date.fromisoformat(listed_month + "-01"), -2)
                                          .strftime("%Y-%m")))
    counts.update(boss.deliver_feedback(boss.feedback(actions, pop, follow_up, sim.seed, listed_month), landing,
                                        sim.province, listed_month))
    boss.append_truth_table(boss.effects(pop, actions, sim.seed, index), truth, boss.EFFECTS,
                            ["interface", "list_month", "brand"])
    boss.append_truth_table(boss.care_satisfaction(actions, sim.seed), truth, boss.SATISFACTION,
                            ["campaign_id", "list_month", "action", "segment_desc"])
    boss.append_truth_table(actions, truth, boss.ACTIONS, ["interface", "list_month", "id"])
    boss.append_truth_table(treatments.where(F.col("m_from") == index + 1), truth, boss.TREATMENTS, ["id", "m_from", "shift"])
    write_truth(pop, truth)
    pop.unpersist()
    return counts


def _population(spark: SparkSession, sim: Simulation, treatments: DataFrame) -> DataFrame:
    return mo.with_groups(popmod.population(spark, sim.users, sim.seed, sim.start_date, sim.end, treatments),
                          sim.seed, sim.users)
