# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: ldap-server bench-serve install jars demo demo-loop test test-fast lint bench bench-monthly docs ml-check airflow-install airflow-test cluster-test clean

$(STAMP): setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# the test and lint tools are extras of setup.py, not runtime requirements
$(VENV)/.installed-test: $(STAMP)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-lint: $(STAMP)
	$(BIN)/pip install --quiet -e ".[lint]"
	touch $@

install: $(STAMP)

# Delta jars from Maven Central into .jars/ (once; the session does the same on first use)
jars: install
	$(BIN)/python -m bass.core.jars

demo: jars
	$(BIN)/bass demo

# the closed loop with BOSS: lists with control groups, BOSS acting (simulated), feedback,
# evaluation against the planted effects, month by month (its own warehouse under var/demo-loop)
demo-loop: jars
	rm -rf var/demo-loop
	BASS_HOME=var/demo-loop $(BIN)/bass demo-loop

# the fast tier: no integration test and no unit test marked slow (tests/conftest.py)
test-fast: jars $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not integration and not slow" tests

# every test, once: the fast tier first (it fails early), then the slow unit tests and the
# integration tests on small simulated provinces
test: test-fast ldap-server
	$(BIN)/python -m pytest -q -m "integration or slow" tests

# Debian's OpenLDAP server, for the SQL server's directory-login tests (they start and stop it)
ldap-server:
	@command -v slapd >/dev/null || test -x /usr/sbin/slapd || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get install -y -q slapd ldap-utils >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q slapd ldap-utils >/dev/null; }; }
	@test -x /usr/sbin/slapd || { echo "slapd could not be installed (apt-get install slapd ldap-utils)"; exit 1; }

# Python with ruff (ruff.toml), SQL with sqlfluff (.sqlfluff, Spark dialect)
lint: $(VENV)/.installed-lint
	$(BIN)/ruff check lib jobs tests
	$(BIN)/sqlfluff lint sql --disable-progress-bar --nocolor

# Airflow 3 in its own virtualenv (its providers pull a pyspark-client that clashes with BASS's pyspark)
AIRFLOW_VENV ?= .venv-airflow
AIRFLOW_VERSION ?= 3.3.2
$(AIRFLOW_VENV)/.installed:
	test -x $(AIRFLOW_VENV)/bin/python || $(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/pip install --quiet "apache-airflow==$(AIRFLOW_VERSION)"
	touch $@

airflow-install: $(AIRFLOW_VENV)/.installed

# The generated DAGs run the real jobs under `airflow dags test` on a small simulated province
# (its own warehouse under var/airflow-test; long: one spark-submit JVM per task, about 40 s each here)
airflow-test: jars airflow-install
	rm -rf var/airflow-test
	BASS_HOME=var/airflow-test $(BIN)/python -u -m bass.devkit.airflow_check $(AIRFLOW_VENV)

# HDFS (Hadoop's minicluster) and a Spark standalone master with two workers on this machine; the
# daily, monthly, training and scoring batches through spark-submit.sh with BASS_HOME on HDFS, and
# the same on the local disk: every table and file sent to BOSS must be equal (var/cluster-test)
cluster-test: jars
	$(BIN)/python -u -m bass.devkit.cluster_check

# the data dictionary docs/tables.md, generated from conf/tables/ and conf/interfaces/
docs: install
	$(BIN)/bass docs

# the churn trainer on IBM's Telco data (seed 42 and seeds 1-5) and on a simulated province
ml-check: jars
	rm -rf var/ml-check
	BASS_HOME=var/ml-check $(BIN)/python -m bass.devkit.ml_check $(IBM_CSV)

$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@

# 10 million voice CDRs through ODS and MID, against a hand-written Spark job and DuckDB;
# ROWS=1000000,10000000,30000000 draws a size curve
ROWS ?= 10000000
bench: jars $(VENV)/.installed-bench
	$(BIN)/bass bench --rows $(ROWS)

# one month of a province (monthly, tariff, scoring, profiles and the churn training), step by
# step, at growing numbers of users; USERS=10000,100000 for a quicker curve
USERS ?= 100000,1000000
bench-monthly: jars
	$(BIN)/bass bench monthly --users $(USERS)

# how long an analyst's small query waits behind another's runaway one (REPO=<older checkout> for a before)
bench-serve: jars
	$(BIN)/bass bench-serve $(if $(REPO),--repo $(REPO))

clean:
	rm -rf var spark-warehouse
