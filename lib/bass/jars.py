"""Delta Lake jars: resolved once from Maven Central with `mvn dependency:copy`, then reused.

Spark's own Ivy resolution (`spark.jars.packages`) cannot reach the registry from every
machine, while Maven can; the jars land in a git-ignored folder that tests, the demo and
spark-submit.sh share.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bass.config import REPO_ROOT, Config, load_config


def jar_name(artifact: str) -> str:
    _group, name, version = artifact.split(":")
    return f"{name}-{version}.jar"


def jars_dir(cfg: Config) -> Path:
    path = Path(os.environ.get("BASS_JARS_DIR", cfg.get("delta.jars_dir")))
    return path if path.is_absolute() else (REPO_ROOT / path)


def ensure_jars(cfg: Config) -> list[str]:
    """Return the local jar paths for the configured Delta artifacts, fetching missing ones."""
    folder = jars_dir(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for artifact in cfg.get("delta.artifacts"):
        target = folder / jar_name(artifact)
        if not target.exists():
            cmd = ["mvn", "-q", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={folder}"]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0 or not target.exists():
                raise RuntimeError(
                    f"could not fetch {artifact} with Maven into {folder}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
                )
        paths.append(str(target))
    return paths


def main() -> None:
    """`python -m bass.jars`: fetch the jars and print them comma-separated (for --jars)."""
    print(",".join(ensure_jars(load_config(sys.argv[1] if len(sys.argv) > 1 else None))))


if __name__ == "__main__":
    main()
