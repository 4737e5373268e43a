"""The relationship network (客户关系网): PageRank and label-propagation communities on a call
graph, as DataFrame iterations. GraphFrames' JVM package is not obtainable here, so each
iteration is a join and an aggregation; the ranks or labels are checkpointed after every
iteration (`localCheckpoint`), which cuts the lineage, so the plans do not grow with the
iterations. The only actions per iteration are one-number aggregates (convergence)."""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window


def _nodes(edges: DataFrame) -> DataFrame:
    return edges.select(F.col("src").alias("node")).union(edges.select(F.col("dst").alias("node"))).distinct()


def _partitions(df: DataFrame) -> int:
    return int(df.sparkSession.conf.get("spark.sql.shuffle.partitions"))


def pagerank(edges: DataFrame, damping: float = 0.85, max_iter: int = 100, tol: float = 1e-6) -> DataFrame:
    """node, pagerank of the directed graph `edges` (src, dst, weight > 0; one row per pair),
    summing to 1, as networkx.pagerank: a node's rank goes to its successors in proportion to
    the weights, and the rank of nodes without successors is spread over all nodes. Stops when
    the ranks change by less than `tol` in total per node (networkx's N·tol rule).

    The edge shares are partitioned by source and the ranks by node, alike, so an iteration
    shuffles only the flow it aggregates; the ranks keep their previous value beside the new one,
    so the convergence check reads the checkpoint instead of joining the old ranks again."""
    parts = _partitions(edges)
    sources = edges.select(F.col("src").alias("node")).distinct().withColumn("has_out", F.lit(True))
    nodes = _nodes(edges).join(sources, "node", "left").select("node", F.coalesce("has_out", F.lit(False)).alias("has_out"))
    nodes = nodes.repartition(parts, "node").localCheckpoint()
    n = nodes.count()
    if n == 0:
        return nodes.select("node", F.lit(0.0).alias("pagerank"))
    share = (edges.withColumn("p", F.col("weight") / F.sum("weight").over(Window.partitionBy("src")))
             .select("src", "dst", "p").repartition(parts, "src").localCheckpoint())
    ranks = nodes.withColumn("pagerank", F.lit(1.0 / n))
    dangling = nodes.where(~F.col("has_out")).count() / n
    for _ in range(max_iter):
        flow = (share.join(ranks.select(F.col("node").alias("src"), "pagerank"), "src")
                .groupBy(F.col("dst").alias("node")).agg(F.sum(F.col("p") * F.col("pagerank")).alias("flow")))
        ranks = (ranks.join(flow, "node", "left")
                 .select("node", "has_out", F.col("pagerank").alias("old"),
                         (F.lit((1 - damping) / n) + damping * (F.coalesce("flow", F.lit(0.0)) + F.lit(dangling / n)))
                         .alias("pagerank"))
                 .localCheckpoint())
        # one scan of the checkpoint: the change and the next iteration's dangling rank
        change, dangling = ranks.agg(F.sum(F.abs(F.col("pagerank") - F.col("old"))),
                                     F.coalesce(F.sum(F.when(~F.col("has_out"), F.col("pagerank"))), F.lit(0.0))).first()
        ranks = ranks.drop("old")
        if change < n * tol:
            break
    return ranks.select("node", "pagerank")


def label_propagation(edges: DataFrame, max_iter: int = 20) -> DataFrame:
    """node, community: every node takes the label with the largest total weight among its
    neighbours' labels and its own (the graph taken as undirected; its own label counts with its
    strongest tie's weight, which keeps the synchronous updates from flip-flopping between two
    labels; ties go to the smallest label), starting from its own name, until no label changes
    or after `max_iter` rounds (large sparse graphs settle for the most part in a few rounds and
    then trade a few labels back and forth). A community is named after a member.

    The ties are partitioned by neighbour and the labels by node, alike, so a round shuffles
    only the votes, once, by the voting node; the two aggregations of a round run on that
    partitioning."""
    parts = _partitions(edges)
    both = (edges.select("src", "dst", "weight").union(edges.select(F.col("dst"), F.col("src"), F.col("weight")))
            .groupBy(F.col("src").alias("node"), F.col("dst").alias("nb")).agg(F.sum("weight").alias("w"))
            .where(F.col("node") != F.col("nb")))
    ties = (both.union(both.groupBy("node").agg(F.max("w").alias("w")).select("node", F.col("node").alias("nb"), "w"))
            .repartition(parts, "nb").localCheckpoint())
    labels = _nodes(edges).withColumn("community", F.col("node")).repartition(parts, "node").localCheckpoint()
    for _ in range(max_iter):
        votes = (ties.join(labels.select(F.col("node").alias("nb"), "community"), "nb")
                 .repartition(parts, "node")
                 .groupBy("node", "community").agg(F.sum("w").alias("score"))
                 .groupBy("node").agg(F.min(F.struct((-F.col("score")).alias("s"), "community"))["community"].alias("new")))
        labels = (labels.join(votes, "node", "left")
                  .select("node", F.coalesce("new", "community").alias("community"), (F.col("new") != F.col("community")).alias("moved"))
                  .localCheckpoint())
        moved = labels.where("moved").limit(1).count()
        labels = labels.drop("moved")
        if not moved:
            break
    return labels


def user_network(spark, months: list[str], exposure_months: int, damping: float, pagerank_iter: int,
                 lpa_rounds: int) -> DataFrame:
    """dm.user_network_m for `months`: each month's graph on its own (PageRank and communities
    per month), the exposure over the call graphs of its last `exposure_months` months."""
    return _union([_month(spark, m, exposure_months, damping, pagerank_iter, lpa_rounds) for m in months])


def _union(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _month(spark, month: str, exposure_months: int, damping: float, pagerank_iter: int, lpa_rounds: int) -> DataFrame:
    from bass.core.grain import add_months
    graph = (spark.table("mid.call_graph_m").where(F.col("batch_month") == month)
             .withColumn("made", F.col("calls_out") + F.col("sms_out"))
             .withColumn("received", F.col("calls_in") + F.col("sms_in"))
             .withColumn("weight", F.col("made") + F.col("received")))
    top = F.slice(F.sort_array(F.collect_list(F.struct((-F.col("weight")).alias("neg"), "other_party")).alias("c")), 1, 3)
    per_user = graph.groupBy("user_id").agg(
        F.count("*").alias("degree"),
        F.count_if(F.col("made") > 0).alias("out_degree"),
        F.count_if(F.col("received") > 0).alias("in_degree"),
        ((F.sum("received") - F.sum("made")) / F.sum("weight")).alias("in_out_balance"),
        F.concat_ws(",", F.transform(top, lambda x: F.concat(x["other_party"], F.lit(":"), (-x["neg"]).cast("string"))))
        .alias("key_contacts"),
        F.avg((F.col("other_net") == "OFFNET").cast("double")).alias("offnet_contact_share"))
    onnet = (graph.where(F.col("other_user_id").isNotNull() & (F.col("made") > 0) & (F.col("other_user_id") != F.col("user_id")))
             .select(F.col("user_id").alias("src"), F.col("other_user_id").alias("dst"), F.col("made").cast("double").alias("weight")))
    ranks = pagerank(onnet, damping, pagerank_iter).withColumnRenamed("node", "user_id")
    # influence: PageRank relative to the month's average (1 = average), so months of different sizes compare
    ranks = ranks.withColumn("influence", F.col("pagerank") * F.lit(ranks.count()))
    communities = (label_propagation(onnet, lpa_rounds).withColumnRenamed("node", "user_id")
                   .withColumn("community_size", F.count("*").over(Window.partitionBy("community"))))
    first = add_months(month, -(exposure_months - 1))
    left = (spark.table("mid.user_profile_m").where(F.col("batch_month").between(first, month) & F.col("churned_in_month"))
            .select(F.col("user_id").alias("other_user_id")).distinct().withColumn("left", F.lit(1.0)))
    exposure = (spark.table("mid.call_graph_m").where(F.col("batch_month").between(first, month) & F.col("other_user_id").isNotNull())
                .withColumn("weight", F.col("calls_out") + F.col("calls_in") + F.col("sms_out") + F.col("sms_in"))
                .join(left, "other_user_id", "left")
                .groupBy("user_id").agg((F.sum(F.coalesce("left", F.lit(0.0)) * F.col("weight")) / F.sum("weight"))
                                        .alias("social_churn_exposure")))
    return (per_user.join(ranks, "user_id", "left").join(communities, "user_id", "left").join(exposure, "user_id", "left")
            .withColumn("batch_month", F.lit(month)))
