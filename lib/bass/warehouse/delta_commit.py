"""Parquet files already written inside a Delta table's folder, committed as the new content of
some of its partitions: one Delta commit that removes the partitions' current files and adds
the staged ones, nothing rewritten.

This lets the loader parse a delivery once, write its good rows straight to where ODS keeps
them, decide on the counts of that same pass, and only then make them visible. Until the
commit, the files are invisible to every reader (Delta reads only what its log lists), and a
crash leaves them for VACUUM. Delta has no public API for adding existing files, so this module
drives its transaction through the JVM: `OptimisticTransaction.filterFiles` (the partitions'
current files, registered as read for conflict detection), actions parsed from Delta's own
JSON protocol (`Action.fromJson`: add and remove are stable protocol actions) and
`OptimisticTransaction.commit`. It is the only module that touches Delta's internals.
"""
from __future__ import annotations

import json
import time
from urllib.parse import unquote

from bass.core.registry import table
from bass.core.session import Context
from bass.warehouse.delta_io import ensure_table, partition_predicate


def _seq(jvm, items):
    java_list = jvm.java.util.ArrayList()
    for item in items:
        java_list.add(item)
    return jvm.scala.jdk.javaapi.CollectionConverters.asScala(java_list).toSeq()


def _operation(ctx: Context, partition_by: list[str], predicate: str):
    """Delta's WRITE operation (overwrite with a replaceWhere predicate), as `DESCRIBE HISTORY`
    shows a replaceWhere write."""
    jvm, gateway = ctx.spark.sparkContext._jvm, ctx.spark.sparkContext._gateway
    loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    cls = jvm.java.lang.Class.forName("org.apache.spark.sql.delta.DeltaOperations$Write", True, loader)
    ctor = cls.getConstructors()[0]
    none = jvm.scala.Option.empty()
    args = [jvm.org.apache.spark.sql.SaveMode.Overwrite, jvm.scala.Some(_seq(jvm, partition_by)),
            jvm.scala.Some(predicate)] + [none] * (len(ctor.getParameterTypes()) - 3)
    array = gateway.new_array(jvm.java.lang.Object, len(args))
    for i, a in enumerate(args):
        array[i] = a
    return ctor.newInstance(array)


def staged_files(ctx: Context, folder: str, location: str, partition_by: list[str]) -> list[dict]:
    """The Parquet files under `folder` (a folder inside the table's `location`, partitioned
    `<col>=<value>/` like the table) as Delta add actions."""
    jvm = ctx.spark.sparkContext._jvm
    root = jvm.org.apache.hadoop.fs.Path(folder)
    fs = root.getFileSystem(ctx.spark.sparkContext._jsc.hadoopConfiguration())
    table_root = fs.makeQualified(jvm.org.apache.hadoop.fs.Path(location)).toString().rstrip("/") + "/"
    if not fs.exists(root):   # nothing staged: the partitions become empty
        return []
    adds, files = [], fs.listFiles(root, True)
    while files.hasNext():
        status = files.next()
        path = status.getPath().toString()
        if not path.endswith(".parquet"):
            continue
        if not path.startswith(table_root):
            raise ValueError(f"{path} is not inside the table's folder {table_root}")
        relative = path[len(table_root):]
        found = dict(unquote(part).split("=", 1) for part in relative.split("/")[:-1] if "=" in part)
        values = {c: found.get(c) for c in partition_by}
        adds.append({"path": relative, "partitionValues": values, "size": status.getLen(),
                     "modificationTime": status.getModificationTime(), "dataChange": True})
    return adds


def replace_partitions(ctx: Context, name: str, folder: str, partition: dict) -> None:
    """Make the Parquet files staged under `folder` the content of `partition` of table `name`
    (values as for delta_io.write); staged files of other partitions are left out."""
    tbl = table(name)
    ensure_table(ctx, name)
    location = ctx.location(name)
    jvm = ctx.spark.sparkContext._jvm
    session = ctx.spark._jsparkSession
    predicate = partition_predicate(partition)
    txn = jvm.org.apache.spark.sql.delta.DeltaLog.forTable(session, location).startTransaction()
    condition = session.sessionState().sqlParser().parseExpression(predicate)
    current = txn.filterFiles(_seq(jvm, [condition]), False)
    now = int(time.time() * 1000)
    actions = [current.apply(i).removeWithTimestamp(now, True) for i in range(current.size())]
    wanted = {c: {str(v) for v in (vals if isinstance(vals, list) else [vals])} for c, vals in partition.items()}
    for add in staged_files(ctx, folder, location, list(tbl.partition_by)):
        if any(add["partitionValues"].get(c) not in vals for c, vals in wanted.items()):
            continue
        actions.append(jvm.org.apache.spark.sql.delta.actions.Action.fromJson(json.dumps({"add": add})))
    txn.commit(_seq(jvm, actions), _operation(ctx, list(tbl.partition_by), predicate))
