"""The driver's files on any file system: the local and the Hadoop storage behave alike, and MLflow's
artifacts go through Hadoop's client for the schemes a cluster uses."""
from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.store.artifact.artifact_repository_registry import get_registered_artifact_repositories

from bass.boss.writer import measure
from bass.core.config import load_config
from bass.core.storage import LOCAL, HadoopStorage, storage_for
from bass.ml.hadoop_artifacts import HadoopArtifactRepository
from bass.ml.tracking import stores


def both(spark, tmp_path):
    return [(LOCAL, str(tmp_path / "local")), (HadoopStorage(spark), f"file://{tmp_path}/hadoop")]


def test_local_and_hadoop_storage_write_read_list_rename_copy_and_delete_alike(spark, tmp_path):
    for storage, root in both(spark, tmp_path):
        storage.write_text(f"{root}/a/x.txt", "一\nb\n")              # folders made as needed
        assert storage.read_text(f"{root}/a/x.txt") == "一\nb\n"
        assert storage.list(f"{root}/a") == {"x.txt": len("一\nb\n".encode())}   # no .tmp left behind
        assert measure(storage, f"{root}/a/x.txt", "md5")[:2] == (len("一\nb\n".encode()), 2)
        storage.rename(f"{root}/a/x.txt", f"{root}/a/y.txt")
        storage.copy(f"{root}/a/y.txt", f"{root}/b/z.txt")
        assert [n for n in storage.children(root) if not n.startswith(".")] == ["a", "b"]
        assert storage.exists(f"{root}/b/z.txt") and not storage.exists(f"{root}/a/x.txt")
        storage.write_text(f"{root}/b/z.txt", "new")                 # a write replaces
        assert storage.read_text(f"{root}/b/z.txt") == "new"
        storage.delete(f"{root}/a")
        storage.delete(f"{root}/nothing")
        assert storage.list(f"{root}/a") == {} and storage.children(f"{root}/nothing") == []


def test_storage_for_picks_python_for_local_paths_and_hadoop_for_other_schemes(spark, tmp_path):
    assert storage_for(str(tmp_path)) is LOCAL and storage_for(f"file:{tmp_path}") is LOCAL
    assert isinstance(storage_for("hdfs://namenode:8020/bass", spark), HadoopStorage)


def test_mlflow_artifacts_round_trip_through_hadoops_client(spark, tmp_path):
    for scheme in ("hdfs", "viewfs", "s3a"):
        assert get_registered_artifact_repositories()[scheme] is HadoopArtifactRepository
    source = tmp_path / "model"
    (source / "sparkml" / "metadata").mkdir(parents=True)
    (source / "MLmodel").write_text("flavors: {}\n")
    (source / "sparkml" / "metadata" / "part-00000").write_text("{}")
    repo = HadoopArtifactRepository(f"file://{tmp_path}/artifacts/run1")
    repo.log_artifacts(str(source), "model")
    repo.log_artifact(str(source / "MLmodel"))
    assert [(f.path, f.is_dir) for f in repo.list_artifacts()] == [("MLmodel", False), ("model", True)]
    assert [f.path for f in repo.list_artifacts("model")] == ["model/MLmodel", "model/sparkml"]
    assert repo.list_artifacts("model/MLmodel") == []                 # a file is not a folder
    (tmp_path / "back").mkdir()
    back = repo.download_artifacts("model", str(tmp_path / "back"))
    assert sorted(p.relative_to(back).as_posix() for p in Path(back).rglob("*") if p.is_file()) \
        == ["MLmodel", "sparkml/metadata/part-00000"]               # and no Hadoop .crc files
    repo.delete_artifacts("model")
    assert [f.path for f in repo.list_artifacts()] == ["MLmodel"]


def test_mlflow_on_shared_storage_needs_a_named_run_store(monkeypatch, tmp_path):
    monkeypatch.setenv("BASS_HOME", "hdfs://namenode:8020/bass")
    monkeypatch.delenv("BASS_MLFLOW", raising=False)
    monkeypatch.delenv("BASS_TRACKING_URI", raising=False)
    cfg = load_config("test")
    with pytest.raises(ValueError, match="BASS_TRACKING_URI or ml.tracking_uri"):
        stores(cfg)
    monkeypatch.setenv("BASS_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    assert stores(cfg) == (f"sqlite:///{tmp_path}/mlflow.db", "hdfs://namenode:8020/bass/mlflow/artifacts")
    monkeypatch.setenv("BASS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BASS_TRACKING_URI")
    uri, artifacts = stores(load_config("test"))
    assert uri == f"sqlite:///{tmp_path}/home/mlflow/mlflow.db" and artifacts == (tmp_path / "home/mlflow/artifacts").as_uri()
