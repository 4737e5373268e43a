"""Why the model scored this user high: per-user contributions of each feature to the score
(in log-odds), from the model that scored the user.

- Logistic regression: coefficient × (the user's value − the month's mean), slot by slot, which
  is the standardised coefficient × the standardised value (units do not decide importance).
- xgboost: its exact tree path contributions (SHAP values, `pred_contrib_col`).
- GBT and random forest: a documented surrogate. A linear regression of the member's log-odds on
  its feature vector, fitted on a sample of the month, explained like a logistic regression.
- A blend: the mean of its members' contributions.

Slots of one feature (its number, its quantile bands, its one-hot levels) add up to the
feature's contribution; the features of a business reason (conf/churn_reasons.yml) add up to the
reason's. A user's reasons are those with the largest positive contribution, in an agent's words
("spend down 40 % against the last three months (35.2 vs 58.7 yuan)"); a feature of no reason
is said by its label ("Months in the network: low, 4.0 vs 38.0 typical"); a category the user
has no value of is never a reason.
"""
from __future__ import annotations

from pyspark.ml.classification import LogisticRegressionModel
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.ml.regression import LinearRegression
from pyspark.ml.stat import Summarizer
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bass.core.registry import table
from bass.ml import features
from bass.ml.churn import reason_words
from bass.ml.churn.reason_words import PERCENT_WORDS, double, formatted, sql_text
from bass.ml.stages import Calibrate, FeaturePrep, stage

SURROGATE_ROWS = 100_000      # rows sampled from the month to fit a tree ensemble's surrogate


def _members(model) -> list[tuple]:
    """(assembler, classifier, calibrate) for each member of a fitted churn PipelineModel."""
    out, assembler, classifier = [], None, None
    for s in model.stages:
        if isinstance(s, VectorAssembler):
            assembler = s
        elif isinstance(s, Calibrate):
            out.append((assembler, classifier, s))
        elif assembler is not None and s is not assembler:
            classifier = s
    return out


def explained_columns(model, columns: list[str]) -> list[str]:
    """What `reasons` reads of `model`'s output for rows of `columns`: those columns, each
    member's assembled vector and probability, and the score `p`. The model's other outputs
    (hundreds of imputed, banded, scaled intermediates) need not be kept."""
    members = [(a.getOutputCol(), c.getOrDefault("outputCol")) for a, _, c in _members(model)]
    return [*columns, *[c for pair in members for c in pair], "p"]


def _doubles(values) -> Column:
    """A literal array of doubles as one SQL expression (one call, however many slots)."""
    return F.expr("array(" + ", ".join(double(v) for v in values) + ")")


def _linear(coefficients: list, vector: str, scored: DataFrame) -> Column:
    """Per-slot array of coefficient × (value − the rows' mean)."""
    means = scored.agg(Summarizer.mean(F.col(vector)).alias("m")).first()["m"].toArray()
    m, c = _doubles(means), _doubles(coefficients)
    return F.transform(vector_to_array(vector), lambda x, j: (x - m[j]) * c[j])


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Sorted slot indices as (first, length) runs of consecutive slots."""
    runs = []
    for j in sorted(indices):
        if runs and runs[-1][0] + runs[-1][1] == j:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((j, 1))
    return runs


def _sum_slots(arr: str, indices: list[int]) -> str:
    """SQL: the sum of array column `arr`'s slots at `indices` (a slice per run of consecutive slots).

    The expressions here are SQL text, parsed once per column: built as Column objects, a
    month's 150 features cost some 60,000 calls into the JVM (15 s of a scoring job)."""
    parts = [f"`{arr}`[{a}]" if n == 1 else f"aggregate(slice(`{arr}`, {a + 1}, {n}), 0D, (acc, x) -> acc + x)"
             for a, n in _runs(indices)]
    return " + ".join(parts) if parts else "0D"


def _slot_contributions(assembler, classifier, calibrate, scored: DataFrame) -> tuple[DataFrame, str]:
    """`scored` with an array column of this member's per-slot contributions."""
    vector = assembler.getOutputCol()
    out = f"contrib__{vector}"
    if isinstance(classifier, LogisticRegressionModel):
        return scored.withColumn(out, _linear(list(classifier.coefficients.toArray()), vector, scored)), out
    if classifier.__class__.__name__ == "SparkXGBClassifierModel":
        clf = classifier.copy({classifier.pred_contrib_col: out})
        own = [clf.getOrDefault(p) for p in (clf.probabilityCol, clf.rawPredictionCol, clf.predictionCol)]
        with_shap = clf.transform(scored.drop(*[c for c in own if c in scored.columns]))
        shap = F.col(out)[0]          # strict shape: one group of (features + bias) for a binary model
        return with_shap.withColumn(out, F.slice(shap, 1, F.size(shap) - 1)), out
    p = F.least(F.greatest(F.col(calibrate.getOrDefault("outputCol")), F.lit(1e-6)), F.lit(1 - 1e-6))
    sample = scored.withColumn("_logit", F.log(p / (1 - p)))
    n = scored.count()
    if n > SURROGATE_ROWS:
        sample = sample.sample(SURROGATE_ROWS / n, seed=7)
    surrogate = LinearRegression(featuresCol=vector, labelCol="_logit", regParam=0.01, maxIter=50).fit(sample)
    return scored.withColumn(out, _linear(list(surrogate.coefficients.toArray()), vector, scored)), out


def contributions(model, scored: DataFrame) -> tuple[DataFrame, list[str]]:
    """(`scored` + `_contrib`: an array of per-feature contributions, the feature names in order)."""
    spec = stage(model, FeaturePrep).spec()
    sources = spec.names()
    per_member = []
    for assembler, classifier, calibrate in _members(model):
        scored, col = _slot_contributions(assembler, classifier, calibrate, scored)
        slots = features.vector_names(scored, assembler.getOutputCol())
        by_source = {s: [] for s in sources}
        for j, slot in enumerate(slots):
            by_source.setdefault(features.source(slot), []).append(j)
        per_member.append([_sum_slots(col, by_source[s]) for s in sources])
    mean = [" + ".join(f"({m[i]})" for m in per_member) + (f" / {len(per_member)}D" if len(per_member) > 1 else "")
            for i in range(len(sources))]
    return scored.withColumn("_contrib", F.expr("array(" + ", ".join(mean) + ")")), sources


def importance(model, scored: DataFrame, n: int = 20) -> list[tuple[str, float]]:
    """(feature, mean |contribution| over `scored`), the `n` largest first."""
    with_c, sources = contributions(model, scored)
    row = with_c.selectExpr(*[f"avg(abs(_contrib[{i}])) as c{i}" for i in range(len(sources))]).first()
    return sorted(((s, float(row[f"c{i}"] or 0.0)) for i, s in enumerate(sources)), key=lambda x: -x[1])[:n]


def top_features(model, scored: DataFrame, n: int = 5) -> list[str]:
    return [name for name, _ in importance(model, scored, n)]


def _told(i: int, s: str, numeric: bool) -> str:
    """SQL: feature `i`'s contribution, 0 for a missing category ("Handset maker: (blank)"), which
    may move the score but tells an agent nothing."""
    if numeric:
        return f"_contrib[{i}]"
    return f"case when coalesce(`{s}` != {sql_text(features.BLANK)}, false) then _contrib[{i}] else 0D end"


def _item(i: int, s: str, label: str, numeric: bool, typical) -> str:
    """SQL: the struct (s: contribution, t: the reason in words, v: the value, n: the feature)."""
    col = f"`{s}`"
    if numeric:
        percent = any(w in s for w in PERCENT_WORDS)
        side = f"case when {col} > {double(typical)} then 'high' else 'low' end" if typical is not None else "''"
        typical_text = formatted(double(typical if typical is not None else 0.0), 'pct' if percent else 'num')
        text = f"concat({sql_text(label + ': ')}, {side}, ', ', {formatted(col, 'pct' if percent else 'num')}, ' vs ', {typical_text}, ' typical')"
        value = f"concat({sql_text(s + '=')}, cast(round({col}, 2) as string))"
    else:
        text = f"concat({sql_text(label + ': ')}, {col})"
        value = f"concat({sql_text(s + '=')}, {col})"
    return (f"named_struct('s', {_told(i, s, numeric)}, "
            f"'t', coalesce({text}, {sql_text(label + ': unknown')}), 'v', coalesce({value}, {sql_text(s + '=')}), "
            f"'n', {sql_text(s)})")


def reasons(model, scored: DataFrame, labels: dict, top: int = 3, said: tuple | None = None) -> DataFrame:
    """`scored` + churn_reasons (the `top` business reasons pushing this user's score up most, in an
    agent's words: the reasons of conf/churn_reasons.yml, or `said`, with their features'
    contributions summed; a feature of no reason is said on its own), churn_features (the top
    features' values, e.g. "fwd_offnet_share=0.62") and first_reason (the top feature)."""
    spec = stage(model, FeaturePrep).spec()
    with_c, sources = contributions(model, scored)
    said = reason_words.configured() if said is None else said
    grouped = reason_words.grouping(sources, scored.columns, said)
    typical = sorted(set(spec.numeric) | {c for r in said if r.name in grouped for c in r.typical_columns()})
    medians = with_c.selectExpr(*[f"percentile_approx(`{c}`, 0.5, 1000) as `{c}`" for c in typical]).first().asDict() \
        if typical else {}
    items = [_item(i, s, labels.get(s, s), s in spec.numeric, medians.get(s)) for i, s in enumerate(sources)]
    strings = {c for c, t in scored.dtypes if t == "string"}
    in_reason = {i for idx in grouped.values() for i in idx}

    def said_struct(r) -> str:
        """A reason whose sentence has nothing to say of the user (every column it reads unknown) is none."""
        known = " or ".join(f"`{c}` is not null" for c in sorted(r.columns()))
        total = " + ".join(_told(i, sources[i], sources[i] in spec.numeric) for i in grouped[r.name])
        return (f"named_struct('s', case when {known} then {total} else 0D end, "
                f"'t', coalesce({r.sql(medians, strings)}, {sql_text(r.name)}), 'v', '', 'n', {sql_text(r.name)})")
    spoken = [said_struct(r) for r in said if r.name in grouped] + [it for i, it in enumerate(items) if i not in in_reason]

    def ranked(structs: list[str]) -> str:
        return f"slice(sort_array(filter(array({', '.join(structs)}), x -> x.s > 0), false), 1, {top})"
    return (with_c.withColumn("_top", F.expr(ranked(items))).withColumn("_said", F.expr(ranked(spoken)))
            .withColumn("churn_reasons", F.expr("array_join(transform(_said, x -> x.t), '; ')"))
            .withColumn("churn_features", F.expr("array_join(transform(_top, x -> x.v), '; ')"))
            .withColumn("first_reason", F.expr("try_element_at(transform(_top, x -> x.n), 1)"))
            .drop("_top", "_said", "_contrib"))


def feature_labels() -> dict:
    """Feature column -> its English label in the data dictionary (the words of a churn reason)."""
    return {c.name: c.en.replace(", this month", "") for c in table("dm.user_wide_m").columns}
