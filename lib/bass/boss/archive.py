"""The archive of what BASS sent to BOSS: every outbound delivery's files with their .verf,
copied as sent into archive/<interface>/<the .verf's name without .verf>/ and kept
`archive.months` (13 by default), far longer than VACUUM keeps a table's old versions, so
`bass history <table> --sent` still shows what BOSS received a year later. `bass maintain`
removes deliveries sent longer ago than that.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bass.boss.delivery import VerfRecord, parse_verf
from bass.core.storage import join, storage_for


@dataclass(frozen=True)
class Sent:
    """One archived delivery."""
    folder: str
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


def keep(archive: str, outbox: str, code: str, records: list[VerfRecord], verf_name: str) -> str:
    """Copy a delivery just written to the outbox into the archive."""
    target = join(archive, f"{code}/{verf_name.removesuffix('.verf')}")
    storage = storage_for(archive)
    for name in [r.file_name for r in records] + [verf_name]:
        storage.copy(join(outbox, f"{code}/{name}"), join(target, name))
    return target


def deliveries(archive: str, code: str) -> list[Sent]:
    """The archived deliveries of an interface, oldest data date first, then by resend."""
    storage, out = storage_for(archive), []
    for name in storage.children(join(archive, code)):
        folder = join(archive, f"{code}/{name}")
        verfs = sorted(n for n in storage.list(folder) if n.endswith(".verf"))
        if verfs:
            text = storage.read_text(join(folder, verfs[0]), encoding="ascii")
            out.append(Sent(folder, verfs[0], tuple(parse_verf(verfs[0], text))))
    return sorted(out, key=lambda s: (s.data_date, s.resend))


def prune(archive: str, months: int, today: dt.date | None = None) -> list[str]:
    """Remove deliveries sent more than `months` months before today; returns what went."""
    today = today or dt.date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    cutoff = dt.datetime(year, month + 1, min(today.day, 28))
    storage, gone = storage_for(archive), []
    for code in storage.children(archive):
        for sent in deliveries(archive, code):
            if sent.sent_at < cutoff:
                storage.delete(sent.folder)
                gone.append(sent.folder)
    return gone
