"""spark-submit's --master is never overridden by the configuration's master."""
import os
import subprocess
import sys
from pathlib import Path

import pyspark

SCRIPT = """
from bass.core.config import load_config
from bass.core.session import build_spark
spark = build_spark(load_config("local"))
print("MASTER=" + spark.sparkContext.master)
"""


def test_the_master_given_to_spark_submit_wins(tmp_path):
    script = tmp_path / "master.py"
    script.write_text(SCRIPT)
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    out = subprocess.run([str(submit), "--master", "local[1]", str(script)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "MASTER=local[1]" in out.stdout                       # conf/local.yml says local[*]
