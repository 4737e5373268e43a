"""The archive of what BASS sent to BOSS: every outbound delivery's files with their .verf,
copied as sent into archive/<interface>/<the .verf's name without .verf>/ and kept
`archive.months` (13 by default), far longer than VACUUM keeps a table's old versions, so
`bass history <table> --sent` still shows what BOSS received a year later. `bass maintain`
removes deliveries sent longer ago than that.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from bass.boss.delivery import VerfRecord, read_verf


@dataclass(frozen=True)
class Sent:
    """One archived delivery."""
    folder: Path
    verf: str
    records: tuple        # VerfRecord per data file

    @property
    def sent_at(self) -> dt.datetime:
        return dt.datetime.strptime(self.records[0].file_ts, "%Y%m%d%H%M%S")

    @property
    def resend(self) -> int:
        return int(self.verf.removesuffix(".verf").rsplit("_", 1)[1])

    @property
    def data_date(self) -> str:
        return self.records[0].data_date


def keep(archive: str, outbox: str, code: str, records: list[VerfRecord], verf_name: str) -> Path:
    """Copy a delivery just written to the outbox into the archive."""
    target = Path(archive) / code / verf_name.removesuffix(".verf")
    target.mkdir(parents=True, exist_ok=True)
    for name in [r.file_name for r in records] + [verf_name]:
        shutil.copy2(Path(outbox) / code / name, target / name)
    return target


def deliveries(archive: str, code: str) -> list[Sent]:
    """The archived deliveries of an interface, oldest data date first, then by resend."""
    out = []
    for folder in sorted((Path(archive) / code).glob("*")):
        verfs = list(folder.glob("*.verf"))
        if verfs:
            out.append(Sent(folder, verfs[0].name, tuple(read_verf(verfs[0]))))
    return sorted(out, key=lambda s: (s.data_date, s.resend))


def prune(archive: str, months: int, today: dt.date | None = None) -> list[Path]:
    """Remove deliveries sent more than `months` months before today; returns what went."""
    today = today or dt.date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    cutoff = dt.datetime(year, month + 1, min(today.day, 28))
    gone = []
    for code in sorted(p.name for p in Path(archive).glob("*") if p.is_dir()):
        for sent in deliveries(archive, code):
            if sent.sent_at < cutoff:
                shutil.rmtree(sent.folder)
                gone.append(sent.folder)
    return gone
