"""The .verf integrity check: every mismatch is refused with the file and the reason."""
import re

import pytest

from bass.boss.delivery import DeliveryError, VerfRecord, check_record_counts, find_delivery, write_verf
from bass.boss.writer import measure
from bass.core.storage import LOCAL

CODE, PROV = "cdr_voice", "571"
DAT = "cdr_voice_571_20260105_00_00_001.dat"
VERF = "cdr_voice_571_20260105_00_00.verf"


def deliver(tmp_path, body=b"a|b\nc|d\n", records=2, size=None, date="20260105", name=DAT, extra=()):
    folder = tmp_path / CODE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DAT).write_bytes(body)
    for e in extra:
        (folder / e).write_bytes(b"x\n")
    write_verf(folder / VERF, [VerfRecord(name, len(body) if size is None else size, records, date, "20260106010101")])
    return tmp_path


def test_matching_delivery_is_found(tmp_path):
    d = find_delivery(str(deliver(tmp_path)), CODE, PROV, "daily", "2026-01-05")
    assert d.resend_no == 0 and d.expected_records() == 2
    assert d.data_paths() == [str(tmp_path / CODE / DAT)]


@pytest.mark.parametrize("kwargs, message", [
    ({"size": 99}, "is 8 bytes, the .verf says 99"),
    ({"date": "20260104"}, "has data date 20260104, expected 20260105"),
    ({"name": "cdr_voice_571_20260105_00_00_002.dat"}, "not listed in the .verf"),
    ({"extra": ["cdr_voice_571_20260105_00_00_002.dat"]}, "['cdr_voice_571_20260105_00_00_002.dat'] are present but not listed"),
])
def test_mismatch_is_refused_naming_the_file(tmp_path, kwargs, message):
    with pytest.raises(DeliveryError, match=re.escape(message)):
        find_delivery(str(deliver(tmp_path, **kwargs)), CODE, PROV, "daily", "2026-01-05")


def test_listed_file_missing(tmp_path):
    folder = tmp_path / CODE
    folder.mkdir()
    write_verf(folder / VERF, [VerfRecord(DAT, 10, 1, "20260105", "x")])
    with pytest.raises(DeliveryError, match=f"listed file {DAT} is missing"):
        find_delivery(str(tmp_path), CODE, PROV, "daily", "2026-01-05")


def test_data_without_verf_and_no_delivery(tmp_path):
    folder = tmp_path / CODE
    folder.mkdir()
    with pytest.raises(DeliveryError, match="no delivery"):
        find_delivery(str(tmp_path), CODE, PROV, "daily", "2026-01-05")
    (folder / DAT).write_bytes(b"a\n")
    with pytest.raises(DeliveryError, match="arrived without a .verf"):
        find_delivery(str(tmp_path), CODE, PROV, "daily", "2026-01-05")


def test_malformed_verf_line(tmp_path):
    folder = tmp_path / CODE
    folder.mkdir()
    (folder / VERF).write_text("only|three|fields\n")
    with pytest.raises(DeliveryError, match=f"{VERF} line 1"):
        find_delivery(str(tmp_path), CODE, PROV, "daily", "2026-01-05")


def test_highest_resend_wins(tmp_path):
    deliver(tmp_path)
    folder = tmp_path / CODE
    resend = "cdr_voice_571_20260105_00_01_001.dat"
    (folder / resend).write_bytes(b"z|z\n")
    write_verf(folder / "cdr_voice_571_20260105_00_01.verf", [VerfRecord(resend, 4, 1, "20260105", "t")])
    d = find_delivery(str(tmp_path), CODE, PROV, "daily", "2026-01-05")
    assert d.resend_no == 1 and [r.file_name for r in d.records] == [resend]


def test_record_count_mismatch(tmp_path):
    d = find_delivery(str(deliver(tmp_path, records=3)), CODE, PROV, "daily", "2026-01-05")
    with pytest.raises(DeliveryError, match=f"{DAT} has 2 records, the .verf says 3"):
        check_record_counts(d, {DAT: 2})


def test_measure_counts_crlf_lines_and_a_missing_final_newline(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"a\r\nb\r\nc")
    assert measure(LOCAL, str(p), None) == (7, 3, None)
    p.write_bytes(b"")
    assert measure(LOCAL, str(p), None) == (0, 0, None)


def test_a_checksum_rides_in_the_verf_and_a_malformed_one_is_refused(tmp_path):
    folder = deliver(tmp_path) / CODE
    dat = folder / DAT
    from bass.boss.delivery import parse_verf
    rec = VerfRecord(DAT, 8, 2, "20260105", "20260106010101", measure(LOCAL, str(dat), "sha256")[2])
    assert rec.checksum == "sha256:" + __import__("hashlib").sha256(b"a|b\nc|d\n").hexdigest()
    assert parse_verf(VERF, rec.line() + "\n") == [rec]
    assert parse_verf(VERF, rec.line().replace(rec.checksum, rec.checksum.upper().replace("SHA", "sha")) + "\n") == [rec]
    plain = VerfRecord(DAT, 8, 2, "20260105", "20260106010101")
    assert plain.line().count("|") == 4 and parse_verf(VERF, plain.line()) == [plain]
    for bad in ["sha256:abc", "crc32:0badf00d", "md5:" + "g" * 32]:
        with pytest.raises(DeliveryError, match="line 1: checksum"):
            parse_verf(VERF, plain.line() + "|" + bad)
    with pytest.raises(ValueError, match="delivery.checksum"):
        measure(LOCAL, str(dat), "crc32")
