"""Accounts of the SQL server (`bass accounts`): one line per account in a local file,
`name:role:iterations:salt_hex:pbkdf2_sha256_hex:scope`. Only password hashes are stored; the file
is git-ignored (under BASS_HOME by default, BASS_ACCOUNTS elsewhere) and readable by its owner
only. lib/java Accounts checks logins against it. The scope is `province` or the comma-separated
region codes (地市) whose rows the account sees on the analyst server; a line without one (written
before scopes existed) is the province's."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

ROLES = ("analyst", "engineer")
PROVINCE = "province"
ITERATIONS = 200_000
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def hash_line(name: str, role: str, password: str, scope: str = PROVINCE, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{name}:{role}:{iterations}:{salt.hex()}:{digest.hex()}:{scope}"


def scope_of(regions: list[str] | None, known: list[str] | None = None) -> str:
    """The scope field for these region codes (none: the province); each must be a known code."""
    if not regions:
        return PROVINCE
    unknown = sorted(set(regions) - set(known)) if known is not None else []
    if unknown:
        raise ValueError(f"unknown region code(s) {', '.join(unknown)}: one of {', '.join(sorted(known))} "
                         "(the `regions` section of the configuration)")
    return ",".join(sorted(set(regions)))


def read(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split(":") for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def well_formed(fields: list[str]) -> bool:
    return len(fields) in (5, 6)


def roles_in(path: Path) -> set[str]:
    return {fields[1] for fields in read(path) if well_formed(fields)}


def _write(path: Path, entries: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(":".join(e) + "\n" for e in entries))
    os.chmod(path, 0o600)


def add(path: Path, name: str, role: str, password: str, scope: str = PROVINCE) -> None:
    """Add the account, or replace its password, role and scope."""
    if not NAME.match(name):
        raise ValueError(f"account name {name!r}: letters, digits, '_', '.', '-', starting with a letter")
    if role not in ROLES:
        raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    entries = [e for e in read(path) if e[0] != name]
    if not re.match(r"^(province|[0-9A-Za-z_]+(,[0-9A-Za-z_]+)*)$", scope):
        raise ValueError(f"scope {scope!r}: 'province' or comma-separated region codes")
    _write(path, entries + [hash_line(name, role, password, scope).split(":")])


def remove(path: Path, name: str) -> bool:
    entries = read(path)
    kept = [e for e in entries if e[0] != name]
    _write(path, kept)
    return len(kept) != len(entries)


def listing(path: Path) -> list[tuple[str, str, str]]:
    """(name, role, scope) of each account."""
    return [(e[0], e[1], e[5] if len(e) == 6 else PROVINCE) for e in read(path) if well_formed(e)]
