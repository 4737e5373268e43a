"""Files by path on whatever file system holds them: the driver lists, sizes and reads small
files (a .verf) through Hadoop's FileSystem API, so landing and the loader's staging may be on
`hdfs://`, `s3a://` or a local disk alike. Data files are read by Spark, never by the driver.

`LocalStorage` lists and reads with Python's os module: for the simulator playing BOSS (it reads
the local outbox) and for tests that need no SparkSession.
"""
from __future__ import annotations

import os
from typing import Protocol


class Storage(Protocol):
    def list(self, folder: str) -> dict[str, int]:
        """Names of the files directly in `folder` with their sizes; {} when it does not exist."""

    def read_text(self, path: str, encoding: str = "utf-8") -> str: ...


def join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


class LocalStorage:
    def list(self, folder: str) -> dict[str, int]:
        if not os.path.isdir(folder):
            return {}
        return {e.name: e.stat().st_size for e in os.scandir(folder) if e.is_file()}

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        with open(path, encoding=encoding) as fh:
            return fh.read()


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

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        fs, p = self._fs(path)
        stream = fs.open(p)
        try:
            data = self._jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
        finally:
            stream.close()
        return bytes(data).decode(encoding)

    def delete(self, path: str) -> None:
        """Remove a file or a folder with everything in it; nothing when it does not exist."""
        fs, p = self._fs(path)
        fs.delete(p, True)


LOCAL = LocalStorage()
