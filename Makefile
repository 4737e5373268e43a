# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install jars demo demo-loop test bench docs ml-check clean

$(STAMP): setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

install: $(STAMP)

# Delta jars from Maven Central into .jars/ (once; the session does the same on first use)
jars: install
	$(BIN)/python -m bass.jars

demo: jars
	$(BIN)/bass demo

# the closed loop with BOSS: lists with control groups, BOSS acting (simulated), feedback,
# evaluation against the planted effects, month by month (its own warehouse under var/demo-loop)
demo-loop: jars
	rm -rf var/demo-loop
	BASS_HOME=var/demo-loop $(BIN)/bass demo-loop

test: jars
	$(BIN)/python -m pytest -q tests

# the data dictionary docs/tables.md, generated from conf/tables/ and conf/interfaces/
docs: install
	$(BIN)/bass docs

# the churn trainer on IBM's Telco data (seed 42 and seeds 1-5) and on a simulated province
ml-check: jars
	rm -rf var/ml-check
	BASS_HOME=var/ml-check $(BIN)/python -m bass.ml.check

bench: jars
	$(BIN)/bass bench

clean:
	rm -rf var spark-warehouse
