"""The SQL server's accounts file: roles, scopes by city, and the lines written before scopes."""
from __future__ import annotations

import pytest

from bass.serving import accounts

REGIONS = ["571", "574", "577"]


def test_an_account_carries_its_scope(tmp_path):
    path = tmp_path / "accounts"
    accounts.add(path, "alice", "analyst", "alice-secret")
    accounts.add(path, "carol", "analyst", "carol-secret", accounts.scope_of(["574", "571"], REGIONS))
    assert accounts.listing(path) == [("alice", "analyst", "province"), ("carol", "analyst", "571,574")]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "carol-secret" not in path.read_text()


def test_a_line_written_before_scopes_is_the_provinces(tmp_path):
    path = tmp_path / "accounts"
    accounts.add(path, "bob", "engineer", "bob-secret")
    old = ":".join(path.read_text().strip().split(":")[:5])    # name:role:iterations:salt:hash
    path.write_text(old + "\n")
    assert accounts.listing(path) == [("bob", "engineer", "province")]
    assert accounts.roles_in(path) == {"engineer"}


def test_scopes_name_known_cities_only():
    assert accounts.scope_of(None, REGIONS) == "province"
    assert accounts.scope_of(["577", "571", "577"], REGIONS) == "571,577"
    with pytest.raises(ValueError, match="unknown region code.*999"):
        accounts.scope_of(["571", "999"], REGIONS)


def test_a_malformed_scope_is_refused(tmp_path):
    with pytest.raises(ValueError, match="scope"):
        accounts.add(tmp_path / "accounts", "carol", "analyst", "carol-secret", "571;574")
