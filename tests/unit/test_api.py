"""`bass api` on a hand-built month: the snapshot's content, every refusal, and a load test of
10,000 requests to 127.0.0.1 whose throughput and latency are reported (not asserted)."""
from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request

import pytest

from bass.serving import api
from tests.unit.frames import put

M = "2026-06"
TOKEN = "test-token-0123456789"


@pytest.fixture
def snapshot(ctx):
    put(ctx, "dm.churn_score_m", [
        dict(user_id="U1", msisdn="13812341234", churn_prob=0.8, risk_decile=10, churn_reasons="arrears stop; calls down",
             churn_features="", model_version="bass_churn_h1 v3", batch_month=M),
        dict(user_id="U2", msisdn="13998765432", churn_prob=0.1, risk_decile=2, churn_reasons="", churn_features="",
             model_version="bass_churn_h1 v3", batch_month=M),
        dict(user_id="U1", msisdn="13812341234", churn_prob=0.5, risk_decile=7, churn_reasons="old", churn_features="",
             model_version="bass_churn_h1 v2", batch_month="2026-05")])
    put(ctx, "dm.user_segment_m", [dict(user_id="U1", msisdn="13812341234", segment_id=3, segment_desc="heavy data",
                                        segment_size=10, model_version="s", batch_month=M)])
    put(ctx, "dm.user_value_m", [dict(user_id="U1", msisdn="13812341234", value_tier="A", batch_month=M)])
    put(ctx, "out.campaign_target_m", [
        dict(campaign_id="retention", campaign_kind="retention", user_id="U1", msisdn="13812341234", grp="treated",
             target_rank=1, action_desc="retention offer", channel="OUTBOUND_CALL", batch_month=M),
        dict(campaign_id="care", campaign_kind="care", user_id="U2", msisdn="13998765432", grp="control",
             target_rank=4, action_desc="priority service", channel="SMS", batch_month=M)])
    for day, task, sub in [(1, "CONTRACT", "ENDS_IN_1M"), (2, "MIGRATE_4G", "CHANGE_SIM")]:   # only the newest day is open
        put(ctx, "out.sales_task_d", [dict(task_date=dt.date(2026, 7, day), msisdn="13812341234", task_type=task, task_subtype=sub,
                                           reason="r", batch_date=dt.date(2026, 7, day))])
    path, rows = api.export(ctx)
    assert rows == 2
    return path


def get(url: str, token: str | None = TOKEN) -> tuple[int, dict]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_lookups_and_refusals_over_http(snapshot):
    server = api.make_server(api.Lookup(snapshot, TOKEN), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, body = get(f"{base}/v1/subscribers/13812341234")
        assert status == 200
        assert (body["month"], body["segment_desc"], body["value_tier"], body["churn_prob"]) == (M, "heavy data", "A", 0.8)
        assert body["churn_reasons"] == "arrears stop; calls down" and body["churn_model"] == "bass_churn_h1 v3"
        assert [c["campaign_id"] for c in body["campaigns"]] == ["retention"]
        assert [(t["task_type"], t["task_subtype"]) for t in body["sales_tasks"]] == [("MIGRATE_4G", "CHANGE_SIM")]
        status, body = get(f"{base}/v1/subscribers/13998765432")
        assert status == 200 and body["campaigns"] == [] and body["value_tier"] is None   # a control user is not told
        assert get(f"{base}/v1/subscribers/13812341234", token=None)[0] == 401
        assert get(f"{base}/v1/subscribers/13812341234", token="wrong-token-0123456789")[0] == 401
        status, body = get(f"{base}/v1/subscribers/1381234")
        assert status == 400 and "11 digits" in body["error"]
        assert get(f"{base}/v1/subscribers/13800000000")[0] == 404
        assert get(f"{base}/v1/other")[0] == 404
        assert get(f"{base}/healthz", token=None) == (200, {"status": "ok"})
    finally:
        server.shutdown()
        server.server_close()


def test_load_of_ten_thousand_requests(snapshot, capsys):
    result = api.bench_local(snapshot, requests=10_000, concurrency=8)
    with capsys.disabled():
        print(f"\nbass api load test: {json.dumps(result)}")
    assert result["ok"] == 10_000 and result["requests_per_s"] > 0 and result["p99_ms"] >= result["p50_ms"]
