"""`bass api`: the online query for BOSS (interaction mode 3): what BASS knows about one MSISDN.

No Spark per request: after the monthly scoring, `bass api export` joins the month's scores,
segments, value tiers, campaign memberships and open sales-assist tasks in Spark, writes them as JSON lines, and streams
those into one SQLite file keyed by MSISDN (the serving snapshot, replaced atomically). `bass api
serve` answers `GET /v1/subscribers/<msisdn>` from it with a bearer token; `bass api bench` loads
it with concurrent requests on 127.0.0.1 and reports requests/s and latency percentiles.
"""
from bass.serving.api.export import export, snapshot_path  # noqa: F401  (the package API)
from bass.serving.api.loadtest import bench, bench_local  # noqa: F401
from bass.serving.api.server import Lookup, make_server, token_from_env  # noqa: F401
