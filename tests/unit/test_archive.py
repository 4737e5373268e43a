"""The archive of files sent to BOSS: kept as sent, listed by batch and resend, pruned by age."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from bass.boss import archive
from bass.boss.delivery import VerfRecord, write_verf

CODE = "boss_retention_m"


def sent(outbox, token: str, resend: int, stamp: str) -> list[VerfRecord]:
    folder = outbox / CODE
    folder.mkdir(parents=True, exist_ok=True)
    dat = f"{CODE}_571_{token}_00_{resend:02d}_001.dat"
    (folder / dat).write_text("1|13800000001\n2|13800000002\n")
    records = [VerfRecord(dat, 28, 2, token, stamp)]
    write_verf(folder / f"{CODE}_571_{token}_00_{resend:02d}.verf", records)
    return records


def test_deliveries_are_kept_as_sent_and_pruned_after_their_months(tmp_path):
    outbox, store = tmp_path / "outbox", str(tmp_path / "archive")
    for token, resend, stamp in [("202501", 0, "20250203010000"), ("202512", 0, "20260102010000"),
                                 ("202512", 1, "20260105010000")]:
        recs = sent(outbox, token, resend, stamp)
        archive.keep(store, str(outbox), CODE, recs, f"{CODE}_571_{token}_00_{resend:02d}.verf")
    (outbox / CODE / f"{CODE}_571_202512_00_01_001.dat").unlink()                 # BOSS picked it up
    kept = archive.deliveries(store, CODE)
    assert [(s.data_date, s.resend) for s in kept] == [("202501", 0), ("202512", 0), ("202512", 1)]
    assert Path(kept[-1].folder, kept[-1].records[0].file_name).read_text().startswith("1|13800000001")
    gone = archive.prune(store, 13, today=dt.date(2026, 3, 1))                   # sent before 2025-02-01
    assert [p.rsplit("/", 1)[-1] for p in gone] == [] and len(archive.deliveries(store, CODE)) == 3
    gone = archive.prune(store, 13, today=dt.date(2026, 3, 20))                  # sent before 2025-02-20
    assert [p.rsplit("/", 1)[-1] for p in gone] == [f"{CODE}_571_202501_00_00"]
    assert [(s.data_date, s.resend) for s in archive.deliveries(store, CODE)] == [("202512", 0), ("202512", 1)]
