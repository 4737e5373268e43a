"""Files by path on whatever file system holds them. Landing, outbox, archive, reports and MLflow's
artifacts may be on `hdfs://`, `s3a://` or a local disk alike: `storage_for(path)` gives the
driver a small interface to list, read and write them. Data files are read by Spark, never by
the driver.

`LocalStorage` works with Python's os module (no SparkSession needed, and no Hadoop `.crc`
side files next to what BOSS reads); `HadoopStorage` with the JVM's Hadoop FileSystem for the
path's scheme, configured like Spark's readers. Every write lands under a temporary name and is
renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Protocol

CHUNK = 1 << 22


class Storage(Protocol):
    def list(self, folder: str) -> dict[str, int]:
        """Names of the files directly in `folder` with their sizes; {} when it does not exist."""

    def children(self, folder: str) -> list[str]:
        """Names of everything directly in `folder` (files and folders), sorted; [] when none."""

    def exists(self, path: str) -> bool: ...

    def read_text(self, path: str, encoding: str = "utf-8") -> str: ...

    def chunks(self, path: str) -> Iterator[bytes]:
        """A file's bytes, a few MB at a time."""

    def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        """Write a file whole (its folder made if needed), under a temporary name renamed into place."""

    def rename(self, src: str, dst: str) -> None:
        """Move a file within one file system, replacing `dst`."""

    def copy(self, src: str, dst: str) -> None: ...

    def delete(self, path: str) -> None:
        """Remove a file or a folder with everything in it; nothing when it does not exist."""


def join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file:")


def _local(path: str) -> str:
    return path.removeprefix("file://") if path.startswith("file://") else path.removeprefix("file:")


class LocalStorage:
    def list(self, folder: str) -> dict[str, int]:
        folder = _local(folder)
        if not os.path.isdir(folder):
            return {}
        return {e.name: e.stat().st_size for e in os.scandir(folder) if e.is_file()}

    def children(self, folder: str) -> list[str]:
        folder = _local(folder)
        return sorted(os.listdir(folder)) if os.path.isdir(folder) else []

    def exists(self, path: str) -> bool:
        return os.path.exists(_local(path))

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        with open(_local(path), encoding=encoding) as fh:
            return fh.read()

    def chunks(self, path: str) -> Iterator[bytes]:
        with open(_local(path), "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        path = _local(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path + ".tmp", "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        os.replace(path + ".tmp", path)

    def rename(self, src: str, dst: str) -> None:
        os.replace(_local(src), _local(dst))

    def copy(self, src: str, dst: str) -> None:
        os.makedirs(os.path.dirname(_local(dst)) or ".", exist_ok=True)
        shutil.copy2(_local(src), _local(dst))

    def delete(self, path: str) -> None:
        path = _local(path)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.exists(path):
            os.remove(path)


class HadoopStorage:
    """The JVM's Hadoop FileSystem for each path's scheme, configured like Spark's readers."""

    def __init__(self, spark):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _fs(self, path: str):
        p = self._jvm.org.apache.hadoop.fs.Path(path)
        return p.getFileSystem(self._conf), p

    def list(self, folder: str) -> dict[str, int]:
        fs, p = self._fs(folder)
        if not fs.exists(p):
            return {}
        return {s.getPath().getName(): s.getLen() for s in fs.listStatus(p) if s.isFile()}

    def children(self, folder: str) -> list[str]:
        fs, p = self._fs(folder)
        return sorted(s.getPath().getName() for s in fs.listStatus(p)) if fs.exists(p) else []

    def exists(self, path: str) -> bool:
        fs, p = self._fs(path)
        return fs.exists(p)

    def tree(self, folder: str) -> dict[str, int]:
        """Every file under `folder`, by path relative to it, with its size; {} if there is none."""
        fs, root = self._fs(folder)
        if not fs.exists(root):
            return {}
        prefix = fs.makeQualified(root).toUri().getPath().rstrip("/") + "/"
        out, it = {}, fs.listFiles(root, True)
        while it.hasNext():
            status = it.next()
            out[status.getPath().toUri().getPath()[len(prefix):]] = status.getLen()
        return out

    def entries(self, folder: str) -> list[tuple[str, bool, int]]:
        """(name, is a folder, size) of everything directly in `folder`; [] when it is not a folder."""
        fs, p = self._fs(folder)
        if not fs.exists(p) or fs.getFileStatus(p).isFile():
            return []
        return sorted((s.getPath().getName(), s.isDirectory(), s.getLen()) for s in fs.listStatus(p))

    def upload(self, local: str, path: str) -> None:
        """A local file to `path`, replacing what was there."""
        fs, p = self._fs(path)
        fs.copyFromLocalFile(False, True, self._jvm.org.apache.hadoop.fs.Path(os.path.abspath(local)), p)

    def download(self, path: str, local: str) -> None:
        """`path` to a local file, without Hadoop's .crc side file."""
        fs, p = self._fs(path)
        fs.copyToLocalFile(False, p, self._jvm.org.apache.hadoop.fs.Path(os.path.abspath(local)), True)

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        return b"".join(self.chunks(path)).decode(encoding)

    def chunks(self, path: str) -> Iterator[bytes]:
        fs, p = self._fs(path)
        stream = fs.open(p)
        try:
            while chunk := bytes(stream.readNBytes(CHUNK)):
                yield chunk
        finally:
            stream.close()

    def write_text(self, path: str, text: str, encoding: str = "utf-8") -> None:
        fs, p = self._fs(path)
        tmp = self._jvm.org.apache.hadoop.fs.Path(path + ".tmp")
        out = fs.create(tmp, True)
        try:
            out.write(bytearray(text.encode(encoding)))
        finally:
            out.close()
        self._replace(fs, tmp, p)

    def rename(self, src: str, dst: str) -> None:
        fs, s = self._fs(src)
        self._replace(fs, s, self._jvm.org.apache.hadoop.fs.Path(dst))

    def _replace(self, fs, src, dst) -> None:
        if fs.exists(dst):
            fs.delete(dst, False)
        if not fs.rename(src, dst):
            raise OSError(f"could not rename {src.toString()} to {dst.toString()}")

    def copy(self, src: str, dst: str) -> None:
        src_fs, s = self._fs(src)
        dst_fs, d = self._fs(dst)
        self._jvm.org.apache.hadoop.fs.FileUtil.copy(src_fs, s, dst_fs, d, False, True, self._conf)

    def delete(self, path: str) -> None:
        fs, p = self._fs(path)
        fs.delete(p, True)


LOCAL = LocalStorage()


def storage_for(path: str, spark=None) -> Storage:
    """Python's os module for a local path, Hadoop's FileSystem (through the active or given
    SparkSession) for any other scheme."""
    if is_local(path):
        return LOCAL
    return HadoopStorage(spark or running_spark(path))


def running_spark(path: str):
    """The process's SparkSession, from any thread (MLflow up- and downloads in a thread pool,
    where PySpark's active session, a thread-local, is not set)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession
    if SparkContext._active_spark_context is None:
        raise RuntimeError(f"{path} is not on a local disk: reading or writing it needs a running SparkSession")
    return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
