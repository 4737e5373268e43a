"""Logins from the operator's directory: a real OpenLDAP server (Debian's slapd, started and
stopped here) holds the people and the groups; the analyst server binds each login against it
and takes the role and the city scope from the groups."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from bass.core.jars import ensure_serve_jar
from tests.conftest import context_for
from tests.integration.test_serve import (
    REGION,
    connect,
    free_port,
    limited_conf,
    query,
    start_server,
    wait_ready,
    write_warehouse,
)

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SUFFIX = "dc=bass,dc=test"
PEOPLE = {  # uid -> groups
    "wang": ["bass-analysts", "bass-region-571"],
    "li": ["bass-analysts", "bass-province"],
    "zhou": ["bass-analysts", "bass-region-574", "bass-region-571"],
    "zhao": ["bass-analysts"],                       # no scope group: refused
    "chen": ["bass-engineers", "bass-province"],     # not an analyst
}


def ldif() -> str:
    entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: bass\ndc: bass",
               f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
               f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups"]
    for uid in PEOPLE:
        entries.append(f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\n"
                       f"sn: {uid}\nuserPassword: {uid}-secret")
    for group in sorted({g for gs in PEOPLE.values() for g in gs}):
        members = "".join(f"\nmember: uid={u},ou=people,{SUFFIX}" for u, gs in PEOPLE.items() if group in gs)
        entries.append(f"dn: cn={group},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {group}{members}")
    return "\n\n".join(entries) + "\n"


def slapd_conf(folder: Path) -> str:
    schemas = "".join(f"include /etc/ldap/schema/{s}.schema\n" for s in ("core", "cosine", "inetorgperson"))
    return (f"{schemas}modulepath /usr/lib/ldap\nmoduleload back_mdb\npidfile {folder}/slapd.pid\n"
            f"database mdb\nsuffix \"{SUFFIX}\"\nrootdn \"cn=admin,{SUFFIX}\"\nrootpw admin-secret\n"
            f"directory {folder}/db\nmaxsize 10485760\n"
            "access to attrs=userPassword by anonymous auth by self read by * none\n"
            "access to * by users read by * none\n")


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """A slapd on a free port, loaded with PEOPLE; stopped after the module."""
    if not Path(SLAPD).exists():
        pytest.skip("Debian's slapd is not installed (make test installs it)")
    folder = tmp_path_factory.mktemp("ldap")
    (folder / "db").mkdir()
    (folder / "slapd.conf").write_text(slapd_conf(folder))
    (folder / "people.ldif").write_text(ldif())
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    subprocess.run([slapadd, "-f", str(folder / "slapd.conf"), "-l", str(folder / "people.ldif")], check=True,
                   capture_output=True)
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    proc = subprocess.Popen([SLAPD, "-f", str(folder / "slapd.conf"), "-h", url + "/", "-d", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while subprocess.run(["ldapwhoami", "-x", "-H", url, "-D", f"uid=wang,ou=people,{SUFFIX}", "-w", "wang-secret"],
                         capture_output=True).returncode != 0:
        assert time.time() < deadline and proc.poll() is None, "slapd did not start"
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(spark, directory, tmp_path_factory):
    home = tmp_path_factory.mktemp("serve-directory")
    ctx = context_for(spark, home)
    write_warehouse(spark, ctx.cfg)
    limited_conf(home, {"directory": {"url": directory, "user_dn": f"uid={{user}},ou=people,{SUFFIX}",
                                      "group_base": f"ou=groups,{SUFFIX}"}})
    ensure_serve_jar(ctx.cfg)
    port = free_port()
    proc, log = start_server(home, port, privileged=False)     # no accounts file at all
    try:
        assert f"logins from {directory}" in wait_ready(proc, log)
        yield {"port": port, "home": home}
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_directory_accounts_see_the_rows_of_their_groups(server):
    for uid, regions in [("wang", {"571"}), ("li", {"571", "574"}), ("zhou", {"571", "574"})]:
        conn = connect(server["port"], uid, f"{uid}-secret")
        users = {r[0] for r in query(conn, "select user_id from analyst.dm_churn_score_m")}
        assert users == {u for u, r in REGION.items() if r in regions}, uid
        assert query(conn, "select current_user()") == [(uid,)]


@pytest.mark.parametrize("uid,password", [
    ("wang", "wrong-secret"),      # wrong password
    ("wang", ""),                  # an empty password would be an anonymous bind
    ("zhao", "zhao-secret"),       # an analyst without a city or province group
    ("chen", "chen-secret"),       # an engineer on the analysts' server
    ("nobody", "nobody-secret"),   # not in the directory
    ("wang)(uid=*", "x"),          # no filter or DN injection
])
def test_the_directory_refuses(server, uid, password):
    with pytest.raises(Exception, match="login"):
        connect(server["port"], uid, password)


def test_failed_directory_logins_are_audited(server):
    with pytest.raises(Exception, match="login"):
        connect(server["port"], "zhao", "zhao-secret")
    lines = [line for f in (server["home"] / "audit").glob("analyst-*.jsonl") for line in f.read_text().splitlines()]
    assert any('"login_failed"' in line and '"zhao"' in line for line in lines)
