"""The relationship network: PageRank and label propagation against networkx on small graphs,
and the per-user measures of dm.user_network_m on a hand-built call graph."""
import networkx as nx
import pytest

from bass.marts.network import label_propagation, pagerank, user_network
from tests.unit.frames import put

# a directed weighted graph with a dangling node (E) and a cycle
EDGES = [("A", "B", 3.0), ("B", "C", 1.0), ("C", "A", 2.0), ("A", "C", 1.0), ("D", "C", 4.0), ("C", "E", 1.0), ("D", "A", 1.0)]


def test_pagerank_matches_networkx(spark):
    g = nx.DiGraph()
    g.add_weighted_edges_from(EDGES)
    expected = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-7, max_iter=200)
    got = {r.node: r.pagerank for r in pagerank(spark.createDataFrame(EDGES, "src string, dst string, weight double"),
                                                0.85, max_iter=200, tol=1e-7).collect()}
    assert got == pytest.approx(expected, abs=1e-5)
    assert sum(got.values()) == pytest.approx(1.0)


def test_label_propagation_finds_the_communities_networkx_finds(spark):
    # two cliques of four, strongly tied inside, joined by one weak call
    edges = [(a, b, 3.0) for clique in ("abcd", "wxyz") for i, a in enumerate(clique) for b in clique[i + 1:]]
    edges.append(("d", "w", 1.0))
    g = nx.Graph()
    g.add_weighted_edges_from(edges)
    expected = {frozenset(c) for c in nx.community.label_propagation_communities(g)}
    rows = label_propagation(spark.createDataFrame(edges, "src string, dst string, weight double")).collect()
    got = {}
    for r in rows:
        got.setdefault(r.community, set()).add(r.node)
    assert {frozenset(c) for c in got.values()} == expected == {frozenset("abcd"), frozenset("wxyz")}


def test_user_network_measures_on_a_hand_built_call_graph(ctx):
    def edge(u, other, net, other_user=None, out=0, inn=0, month="2026-03"):
        return dict(user_id=u, other_party=other, other_net=net, other_user_id=other_user, calls_out=out, calls_in=inn,
                    seconds=60 * (out + inn), sms_out=0, sms_in=0, batch_month=month)
    put(ctx, "mid.call_graph_m", [
        edge("U1", "M2", "ONNET", "U2", out=6, inn=2), edge("U1", "M3", "ONNET", "U3", out=1), edge("U1", "X9", "OFFNET", inn=1),
        edge("U2", "M1", "ONNET", "U1", out=2, inn=6), edge("U3", "M1", "ONNET", "U1", inn=1),
        edge("U1", "M4", "ONNET", "U4", out=2, month="2026-02")])     # U4 left in February
    put(ctx, "mid.user_profile_m", [dict(user_id="U4", churned_in_month=True, batch_month="2026-02")])
    got = {r.user_id: r for r in user_network(ctx.spark, ["2026-03"], 3, 0.85, 100, 20).collect()}
    u1 = got["U1"]
    assert (u1.degree, u1.out_degree, u1.in_degree) == (3, 2, 2)
    assert u1.in_out_balance == pytest.approx((3 - 7) / 10)
    assert u1.key_contacts == "M2:8,M3:1,X9:1"
    assert u1.offnet_contact_share == pytest.approx(1 / 3)
    assert u1.social_churn_exposure == pytest.approx(2 / 11)      # 2 of the 11 on-net calls of 3 months were with U4
    assert got["U2"].social_churn_exposure == 0
    assert {r.community for r in got.values()} == {"U1"} and u1.community_size == 3
    g = nx.DiGraph()
    g.add_weighted_edges_from([("U1", "U2", 6.0), ("U1", "U3", 1.0), ("U2", "U1", 2.0)])
    expected = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-6)   # the month's on-net calls made
    assert {u: r.pagerank for u, r in got.items()} == pytest.approx(expected, abs=1e-4)
    assert {u: r.influence for u, r in got.items()} == pytest.approx({u: 3 * p for u, p in expected.items()}, abs=1e-3)
