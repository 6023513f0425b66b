# The two commands: `make run` and `make test`. Everything else is a helper for them.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: install run test lint format bench soak clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo
	$(VENV)/bin/honcho start -p $(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks: each measures the product and a baseline in the same run (see bench/README.md).
bench: install
	$(PY) -m bench.dispatch
	$(PY) -m bench.send_api
	$(PY) -m bench.receiver
	$(PY) -m bench.message_log
	$(PY) bench/campaign_intake.py
	test ! -f bench/dashboard.py || $(PY) -m bench.dashboard

# The long crash and fault runs (pytest marker `soak`, excluded from `make test`).
soak: install
	$(PY) -m pytest -m soak

clean:
	rm -rf $(VENV) var staticfiles
