"""MLflow artifacts on any Hadoop file system (hdfs://, viewfs://, s3a://), through the JVM of the
running SparkSession: the same client, configuration and credentials as Spark's own reads.

MLflow's own `hdfs` repository needs libhdfs and a local Hadoop install on every driver; this one
needs neither. Registered for those schemes through setup.py's `mlflow.artifact_repository`
entry points, so `mlflow.spark.log_model` writes the model's data with Spark straight into the
run's artifact folder and this repository adds the small files around it.
"""
from __future__ import annotations

import os
import posixpath

from mlflow.entities import FileInfo
from mlflow.store.artifact.artifact_repo import ArtifactRepository

from bass.core.storage import HadoopStorage, running_spark


class HadoopArtifactRepository(ArtifactRepository):
    def __init__(self, artifact_uri: str, tracking_uri: str | None = None, registry_uri: str | None = None) -> None:
        super().__init__(artifact_uri, tracking_uri, registry_uri)
        self.root = artifact_uri.rstrip("/")

    @property
    def _storage(self) -> HadoopStorage:
        return HadoopStorage(running_spark(self.root))

    def _path(self, artifact_path: str | None) -> str:
        return posixpath.join(self.root, artifact_path) if artifact_path else self.root

    def log_artifact(self, local_file, artifact_path=None):
        self._storage.upload(local_file, posixpath.join(self._path(artifact_path), os.path.basename(local_file)))

    def log_artifacts(self, local_dir, artifact_path=None):
        storage, base = self._storage, self._path(artifact_path)
        for folder, _dirs, files in os.walk(local_dir):
            rel = os.path.relpath(folder, local_dir).replace(os.sep, "/")
            for name in files:
                storage.upload(os.path.join(folder, name), posixpath.join(base, name) if rel == "." else
                               posixpath.join(base, rel, name))

    def list_artifacts(self, path=None):
        return [FileInfo(posixpath.join(path, name) if path else name, is_dir, None if is_dir else size)
                for name, is_dir, size in self._storage.entries(self._path(path))]

    def _download_file(self, remote_file_path, local_path):
        self._storage.download(self._path(remote_file_path), local_path)

    def delete_artifacts(self, artifact_path=None):
        self._storage.delete(self._path(artifact_path))
