"""Accounts of the SQL server (`bass accounts`): one line per account in a local file,
`name:role:iterations:salt_hex:pbkdf2_sha256_hex`. Only password hashes are stored; the file is
git-ignored (under BASS_HOME by default, BASS_ACCOUNTS elsewhere) and readable by its owner only.
lib/java Accounts checks logins against it."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

ROLES = ("analyst", "engineer")
ITERATIONS = 200_000
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def hash_line(name: str, role: str, password: str, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{name}:{role}:{iterations}:{salt.hex()}:{digest.hex()}"


def read(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split(":") for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def roles_in(path: Path) -> set[str]:
    return {fields[1] for fields in read(path) if len(fields) == 5}


def _write(path: Path, entries: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(":".join(e) + "\n" for e in entries))
    os.chmod(path, 0o600)


def add(path: Path, name: str, role: str, password: str) -> None:
    """Add the account, or replace its password and role."""
    if not NAME.match(name):
        raise ValueError(f"account name {name!r}: letters, digits, '_', '.', '-', starting with a letter")
    if role not in ROLES:
        raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    entries = [e for e in read(path) if e[0] != name]
    _write(path, entries + [hash_line(name, role, password).split(":")])


def remove(path: Path, name: str) -> bool:
    entries = read(path)
    kept = [e for e in entries if e[0] != name]
    _write(path, kept)
    return len(kept) != len(entries)


def listing(path: Path) -> list[tuple[str, str]]:
    return [(e[0], e[1]) for e in read(path) if len(e) == 5]
