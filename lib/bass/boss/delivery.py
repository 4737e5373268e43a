"""Delivery naming and .verf integrity files (docs/domain.md §8).

A delivery of interface X for a batch is one or more data files
`X_<province>_<data date>_<unit>_<resend>_<seq>.dat` beside `X_<province>_<data date>_<unit>_<resend>.verf`;
each .verf line is `file name|bytes|records|data date|file timestamp[|checksum]`, the checksum
written `md5:<hex>` or `sha256:<hex>` of the file's bytes. The data date is
yyyyMMdd for daily interfaces and yyyyMM for monthly ones. A higher resend number replaces
the earlier delivery of the same batch.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from bass.core.grain import grain
from bass.core.storage import LOCAL, Storage, join

UNIT = "00"
VERF_SEP = "|"
CHECKSUMS = {"md5": 32, "sha256": 64}     # algorithm -> hex digits
CHECKSUM = re.compile(r"^(md5|sha256):([0-9a-f]+)$")


class DeliveryError(Exception):
    """A delivery that must not be loaded: missing, incomplete or not matching its .verf.
    `delivery`: the delivery its .verf describes, when there is one (for BOSS's receipt)."""

    def __init__(self, message: str, delivery: Delivery | None = None):
        super().__init__(message)
        self.delivery = delivery


@dataclass(frozen=True)
class VerfRecord:
    file_name: str
    byte_size: int
    records: int
    data_date: str
    file_ts: str
    checksum: str | None = None    # "sha256:<hex>" / "md5:<hex>", when the sender gives one

    def line(self) -> str:
        fields = [self.file_name, str(self.byte_size), str(self.records), self.data_date, self.file_ts]
        return VERF_SEP.join(fields + ([self.checksum] if self.checksum else []))


def new_digest(algorithm: str):
    """A hashlib digest for a .verf checksum algorithm (`md5` / `sha256`)."""
    if algorithm not in CHECKSUMS:
        raise ValueError(f"delivery.checksum: {algorithm!r} is not one of {', '.join(CHECKSUMS)}")
    return hashlib.new(algorithm)


@dataclass(frozen=True)
class Delivery:
    interface: str
    batch: str
    resend_no: int
    folder: str             # a path or URI (hdfs://, s3a://, file:)
    verf_name: str
    records: tuple          # VerfRecord per data file, as the .verf lists them

    def data_paths(self) -> list[str]:
        return [join(self.folder, r.file_name) for r in self.records]

    def byte_size(self) -> int:
        return sum(r.byte_size for r in self.records)

    def expected_records(self) -> int:
        return sum(r.records for r in self.records)


def data_date_token(grain_name: str, batch: str) -> str:
    """'2026-01-05' -> '20260105' (daily); '2026-01' -> '202601' (monthly)."""
    return grain(grain_name).token(batch)


def data_file_name(code: str, province: str, token: str, resend: int, seq: int) -> str:
    return f"{code}_{province}_{token}_{UNIT}_{resend:02d}_{seq:03d}.dat"


def verf_file_name(code: str, province: str, token: str, resend: int) -> str:
    return f"{code}_{province}_{token}_{UNIT}_{resend:02d}.verf"


def verf_text(records: list[VerfRecord]) -> str:
    return "".join(r.line() + "\n" for r in records)


def write_verf(path: Path, records: list[VerfRecord]) -> None:
    path.write_text(verf_text(records), encoding="ascii")


def read_verf(path: Path) -> list[VerfRecord]:
    return parse_verf(path.name, path.read_text(encoding="ascii"))


def parse_verf(name: str, text: str) -> list[VerfRecord]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.strip().split(VERF_SEP)
        if len(parts) not in (5, 6) or not parts[1].isdigit() or not parts[2].isdigit():
            raise DeliveryError(f"{name} line {n}: expected 'file|bytes|records|data date|timestamp[|checksum]', "
                                f"got {line!r}")
        checksum = parts[5].lower() if len(parts) == 6 else None
        if checksum is not None and not ((m := CHECKSUM.match(checksum)) and len(m[2]) == CHECKSUMS[m[1]]):
            raise DeliveryError(f"{name} line {n}: checksum {parts[5]!r} is not md5:<32 hex digits> or "
                                "sha256:<64 hex digits>")
        out.append(VerfRecord(parts[0], int(parts[1]), int(parts[2]), parts[3], parts[4], checksum))
    return out


def find_delivery(landing: str, code: str, province: str, grain: str, batch: str,
                  storage: Storage = LOCAL) -> Delivery:
    """The newest delivery (highest resend number) of `code` for `batch` in landing/<code>/.
    The loader passes Hadoop's file system (bass.core.storage), so landing may be on HDFS or S3."""
    folder = join(landing, code)
    token = data_date_token(grain, batch)
    prefix = f"{code}_{province}_{token}_{UNIT}_"
    verf_re = re.compile(re.escape(prefix) + r"(\d{2})\.verf$")
    dat_re = re.compile(re.escape(prefix) + r"(\d{2})_\d{3}\.dat$")
    sizes = storage.list(folder)
    names = sorted(sizes)
    verfs = {int(m.group(1)): n for n in names if (m := verf_re.match(n))}
    if not verfs:
        dats = [n for n in names if dat_re.match(n)]
        if dats:
            raise DeliveryError(f"{code} {batch}: data files {dats[:3]} arrived without a .verf ({prefix}NN.verf)")
        raise DeliveryError(f"{code} {batch}: no delivery in {folder} (expected {prefix}NN.verf)")
    resend = max(verfs)
    verf_name = verfs[resend]
    records = parse_verf(verf_name, storage.read_text(join(folder, verf_name), encoding="ascii"))
    delivery = Delivery(code, batch, resend, folder, verf_name, tuple(records))
    try:
        verify_files(delivery, token, sizes, [n for n in names if (m := dat_re.match(n)) and int(m.group(1)) == resend])
    except DeliveryError as e:
        raise DeliveryError(str(e), delivery) from None
    return delivery


def verify_files(delivery: Delivery, token: str, sizes: dict[str, int], present: list[str]) -> None:
    """File list, sizes and data date against the .verf (record counts are checked by the loader).
    `sizes`: every file in the folder; `present`: the data files of this resend number."""
    name = delivery.verf_name
    if not delivery.records:
        raise DeliveryError(f"{name}: lists no data file")
    listed = {r.file_name for r in delivery.records}
    twice = sorted({r.file_name for r in delivery.records if [x.file_name for x in delivery.records].count(r.file_name) > 1})
    if twice:
        raise DeliveryError(f"{name}: lists {twice} more than once; each data file must be listed once")
    unlisted = sorted(set(present) - listed)
    if unlisted:
        raise DeliveryError(f"{name}: data files {unlisted} are present but not listed in the .verf")
    for rec in delivery.records:
        if rec.data_date != token:
            raise DeliveryError(f"{name}: {rec.file_name} has data date {rec.data_date}, expected {token}")
        if rec.file_name not in sizes:
            raise DeliveryError(f"{name}: listed file {rec.file_name} is missing")
        size = sizes[rec.file_name]
        if size != rec.byte_size:
            raise DeliveryError(f"{name}: {rec.file_name} is {size} bytes, the .verf says {rec.byte_size}")


def check_record_counts(delivery: Delivery, counted: dict[str, int]) -> None:
    for rec in delivery.records:
        got = counted.get(rec.file_name, 0)
        if got != rec.records:
            raise DeliveryError(f"{delivery.verf_name}: {rec.file_name} has {got} records, the .verf says {rec.records}")
