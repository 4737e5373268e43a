"""Parsing delivered lines with an interface's declared schema; bad rows get a reason.

`parse_lines` is a pure DataFrame transform: input has a string column `line`, output has
the typed fields plus `reject_reason` (null for a good row). Reasons name the field, the
value and what was expected, e.g. "field duration: 'abc' is not a int".
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bass.core.interfaces import DECIMAL, TEXT_FORMATS, Field, Interface

REASON_SEP = "; "
DATE_TYPES = ("date", "timestamp")   # parsed through a number (see date_digits)


def typed_value(field: Field, raw: Column) -> Column:
    if field.type == "string":
        return raw
    if field.type in DATE_TYPES:
        ts = digits_timestamp(f"__digits_{field.name}", with_time=field.type == "timestamp")
        return ts.cast("date") if field.type == "date" else ts
    if field.type == "month":
        return F.when(raw.rlike(r"^\d{4}(0[1-9]|1[0-2])$"), F.concat(raw.substr(1, 4), F.lit("-"), raw.substr(5, 2)))
    return F.expr(f"try_cast(`__raw_{field.name}` as {field.spark_type})")


def date_digits(field: Field) -> Column:
    """A date/time field's text as one number, or null unless exactly 8/14 digits (years from 1000
    on); `digits_timestamp` turns it into the timestamp. Its own projection, so that each row
    parses the number once (not once per date part)."""
    width = 14 if field.type == "timestamp" else 8
    raw = f"`__raw_{field.name}`"
    return F.expr(f"case when length({raw}) = {width} and try_cast({raw} as long) >= 1{'0' * (width - 1)} "
                  f"then try_cast({raw} as long) end")


def digits_timestamp(col: str, with_time: bool) -> Column:
    """The yyyyMMdd[HHmmss] number in column `col` as a timestamp in the session time zone; null
    unless it names a real date and time. Arithmetic and make_timestamp instead of a pattern:
    java.time's pattern parser was a third of the loader's parse CPU on voice CDRs (JFR profile)."""
    v = f"`{col}`" if with_time else f"(`{col}` * 1000000)"
    part = lambda div: f"int(({v} div {div}) % 100)"
    return F.expr(f"try_make_timestamp(int({v} div 10000000000), {part(10 ** 8)}, {part(10 ** 6)}, {part(10 ** 4)}, "
                  f"{part(100)}, case when {v} % 100 < 60 then int({v} % 100) end)")


def expected_text(field: Field) -> str:
    if field.type in TEXT_FORMATS:
        return f"a {field.type} {TEXT_FORMATS[field.type]}"
    if m := DECIMAL.match(field.type):   # a value too large for the precision is refused too: say so
        return f"a {field.type} (at most {int(m[1]) - int(m[2])} digits before the point)"
    return f"a {field.type}"


def field_checks(field: Field, raw: Column, value: Column) -> list[tuple[Column, Column]]:
    """(is bad, reason) for each rule of a field.

    Each condition leads with its expensive operand and avoids AND/OR: Spark's common
    subexpression elimination skips short-circuited branches, which made every check re-split
    the line."""
    def say(text: str) -> Column:   # format_string keeps generated code small on wide interfaces
        return F.format_string(f"field {field.name}: '%s' {text}", raw)
    out = []
    if not field.nullable:
        out.append((raw.isNull(), F.lit(f"field {field.name}: required value missing")))
    if field.type != "string":
        out.append((value.isNull() > raw.isNull(), say(f"is not {expected_text(field)}")))   # value null, raw not
    if field.values:
        out.append((F.coalesce(~raw.isin(*field.values), F.lit(False)), say(f"not in [{', '.join(field.values)}]")))
    if field.min is not None:
        out.append((F.coalesce(value < F.lit(field.min), F.lit(False)), say(f"is below {field.min}")))
    return out


def is_utf8(spec: Interface) -> bool:
    return spec.encoding.lower().replace("-", "") == "utf8"


def badly_encoded(text: Column, spec: Interface) -> Column:
    """True where a line holds bytes that are not valid in the interface's encoding. Spark keeps
    a UTF-8 line's bytes as they came (so it checks them); other charsets are decoded by Java,
    which turns each invalid byte sequence into U+FFFD."""
    if is_utf8(spec):
        return ~F.call_function("is_valid_utf8", text)
    return F.instr(text, "\ufffd") > 0


def badly_encoded_field(raw: Column, spec: Interface) -> Column:
    """The same for one field of a badly encoded line: splitting on a delimiter decodes the line
    (invalid UTF-8 becomes U+FFFD), cutting at fixed widths keeps its bytes."""
    return badly_encoded(raw, spec) | (F.instr(raw, "\ufffd") > 0)


def valid_text(text: Column, spec: Interface) -> Column:
    """The text with invalid UTF-8 replaced (U+FFFD), for the quarantine's raw line."""
    return F.call_function("make_valid_utf8", text) if is_utf8(spec) else text


def split_fields(line: Column, spec: Interface) -> Column:
    """The line's field texts as an array: split on the delimiter, or cut at the declared widths
    (trimmed of their padding) in a fixed-width interface."""
    if spec.layout == "fixed":
        starts = [1 + sum(f.width for f in spec.fields[:i]) for i in range(len(spec.fields))]
        return F.array(*[F.trim(F.substring(line, s, f.width)) for s, f in zip(starts, spec.fields)])
    delim = "\\" + spec.delimiter if spec.delimiter in "|.^$*+?()[]{}\\" else spec.delimiter
    return F.split(line, delim, -1)


def parse_lines(lines: DataFrame, spec: Interface) -> DataFrame:
    """Split, type and check each line. Values are computed once, in their own projection; a
    cheap boolean decides validity, and reason texts are built only for the rows that fail."""
    n = len(spec.fields)
    keep = list(lines.columns)
    # explode(array(x)) yields the same single row, but as a Generate node it stops Catalyst from
    # inlining the split into every field access (CollapseProject does that for array
    # extractions), which re-split each line once per field and check.
    split = lines.select("*", F.explode(F.array(split_fields(F.col("line"), spec))).alias("__parts"))
    raw = split.select("*", *[F.nullif(F.try_element_at(F.col("__parts"), F.lit(i + 1)), F.lit("")).alias(f"__raw_{f.name}")
                              for i, f in enumerate(spec.fields)])
    digits = raw.select("*", *[date_digits(f).alias(f"__digits_{f.name}") for f in spec.fields if f.type in DATE_TYPES])
    typed = digits.select("*", *[typed_value(f, F.col(f"__raw_{f.name}")).alias(f.name) for f in spec.fields])
    checks = [c for f in spec.fields for c in field_checks(f, F.col(f"__raw_{f.name}"), F.col(f.name))]
    any_bad = sum((bad.cast("int") for bad, _ in checks), F.lit(0)) > 0   # a sum, not an OR chain (see field_checks)
    if spec.layout == "fixed":
        width = sum(f.width for f in spec.fields)
        shape_bad = F.length("line") != width
        shape_reason = F.format_string(f"line length %d, expected {width} (fixed widths)", F.length("line"))
    else:
        shape_bad = F.size("__parts") != n
        shape_reason = F.format_string(f"field count %d, expected {n}", F.size("__parts"))
    encoding = [(badly_encoded_field(F.col(f"__raw_{f.name}"), spec),
                 F.lit(f"field {f.name}: holds bytes that are not valid {spec.encoding}")) for f in spec.fields]
    reason = (F.when(shape_bad, shape_reason)
              .when(badly_encoded(F.col("line"), spec), F.concat_ws(REASON_SEP, *[F.when(bad, why) for bad, why in encoding]))
              .when(any_bad, F.concat_ws(REASON_SEP, *[F.when(bad, why) for bad, why in checks])))
    return typed.select(*keep, *[F.col(f.name) for f in spec.fields], reason.alias("reject_reason"))
