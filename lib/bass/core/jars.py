"""Delta Lake jars: resolved once from Maven Central with `mvn dependency:copy`, then reused.

Spark's own Ivy resolution (`spark.jars.packages`) cannot reach the registry from every
machine, while Maven can; the jars land in a git-ignored folder that tests, the demo and
spark-submit.sh share.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bass.core.config import REPO_ROOT, Config, load_config


def jar_name(artifact: str) -> str:
    _group, name, version = artifact.split(":")
    return f"{name}-{version}.jar"


def jars_dir(cfg: Config) -> Path:
    path = Path(os.environ.get("BASS_JARS_DIR", cfg.get("delta.jars_dir")))
    return path if path.is_absolute() else (REPO_ROOT / path)


def ensure_jars(cfg: Config) -> list[str]:
    """Return the local jar paths for the configured Delta artifacts, fetching missing ones."""
    return fetch(cfg.get("delta.artifacts"), jars_dir(cfg))


def fetch(artifacts: list[str], folder: Path) -> list[str]:
    """`group:name:version` jars from Maven into `folder` (once); their local paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for artifact in artifacts:
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


JAVA_SOURCES = REPO_ROOT / "lib" / "java"


def ensure_serve_jar(cfg: Config) -> str:
    """The SQL server's Java pieces (lib/java: the analyst gate, scopes, limits, pseudonyms,
    password check, audit log), compiled with javac against PySpark's jars into jars_dir, named
    by a hash of their sources: a checkout of other sources (a branch, a worktree sharing the
    jars folder) never runs a jar built from different ones."""
    import pyspark
    sources = sorted(JAVA_SOURCES.rglob("*.java"))
    digest = hashlib.sha256()
    for s in sources:
        digest.update(s.relative_to(JAVA_SOURCES).as_posix().encode() + b"\0" + s.read_bytes())
    target = jars_dir(cfg) / f"bass-serve-{digest.hexdigest()[:12]}.jar"
    if target.exists():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    spark_jars = Path(pyspark.__file__).parent / "jars"
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:   # two servers may start at once
        classes = Path(scratch) / "classes"
        cmd = ["javac", "-nowarn", "-d", str(classes), "-cp", f"{spark_jars}/*", *map(str, sources)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"could not compile {JAVA_SOURCES} (needs a JDK's javac):\n{result.stderr[-3000:]}")
        jar = Path(scratch) / "bass-serve.jar"
        with zipfile.ZipFile(jar, "w") as out:
            for f in sorted(classes.rglob("*.class")):
                out.write(f, f.relative_to(classes).as_posix())
        os.replace(jar, target)
    return str(target)


def main() -> None:
    """`python -m bass.core.jars`: fetch the jars and print them comma-separated (for --jars)."""
    print(",".join(ensure_jars(load_config(sys.argv[1] if len(sys.argv) > 1 else None))))


if __name__ == "__main__":
    main()
