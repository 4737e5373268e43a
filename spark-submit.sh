#!/usr/bin/env bash
# Run a BASS job or batch on any Spark cluster (client mode):
#   ./spark-submit.sh daily --date 2026-01-01                # the daily batch
#   ./spark-submit.sh monthly --month 2026-01                # the monthly batch
#   ./spark-submit.sh mid.user_usage_d --date 2026-01-01     # one job (named after its table)
#   ./spark-submit.sh ml train --models churn                 # train models (bass ml train)
# Extra spark-submit options go in SPARK_SUBMIT_OPTS_BASS, e.g. "--master spark://head:7077"; a
# --master given there always wins over the configuration's. BASS_ENV picks conf/<env>.yml
# (default local; standalone for a Spark standalone cluster, cluster for YARN with a Hive metastore).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${BASS_PYTHON:-$here/.venv/bin/python}"
[ -x "$py" ] || { echo "no Python at $py: run 'make install' or set BASS_PYTHON" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 <daily|monthly|job> --date YYYY-MM-DD | --month YYYY-MM" >&2; exit 2; }

export BASS_REPO="$here"               # conf/, sql/ and .jars/ for the driver
# The driver runs with the project's Python; on a cluster point PYSPARK_PYTHON at an executor
# Python that has the same packages (setup.py's install_requires).
export PYSPARK_DRIVER_PYTHON="${PYSPARK_DRIVER_PYTHON:-$py}"
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$py}"
pkg="$here/var/bass-lib.zip"          # the package, shipped to executors
mkdir -p "$here/var"
(cd "$here/lib" && rm -f "$pkg" && "$py" -m zipfile -c "$pkg" bass >/dev/null)
jars="$("$py" -m bass.core.jars "${BASS_ENV:-local}")"
submit="$("$py" -c 'import pyspark, os; print(os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit"))')"
command -v spark-submit >/dev/null && submit="spark-submit"

exec "$submit" --jars "$jars" --py-files "$pkg" \
  --conf spark.sql.session.timeZone=Asia/Shanghai \
  ${SPARK_SUBMIT_OPTS_BASS:-} "$here/jobs/run.py" "$@"
