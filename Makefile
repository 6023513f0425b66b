# The two commands: `make run` and `make test`. Everything else is a helper for them.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# The demo's providers (the simulators) push delivery reports to the console's receipt URLs.
run: export SMSCONSOLE_PUBLIC_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run test lint format messages bench soak clean

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

# Translations: refresh the Turkish and Arabic catalogues from the code, then compile them (GNU gettext).
messages: install
	$(PY) manage.py makemessages -l tr -l ar --ignore=.venv --ignore=var --ignore=static/vendor --ignore=bench --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

# Benchmarks: each measures the product and a baseline (or its limit) in the same run (see
# bench/README.md). With DATABASE_URL=postgres://… and REDIS_URL set, PostgreSQL + Redis as well.
bench: install
	$(PY) -m bench.dispatch
	$(PY) -m bench.send_api
	$(PY) -m bench.receiver
	$(PY) -m bench.receipts
	$(PY) -m bench.message_log
	$(PY) bench/campaign_intake.py
	test ! -f bench/dashboard.py || $(PY) -m bench.dashboard
	$(PY) -m bench.latency
	case "$$DATABASE_URL" in postgres*) $(PY) -m bench.latency --postgres;; esac

# The long crash and fault runs (pytest marker `soak`, excluded from `make test`).
soak: install
	$(PY) -m pytest -m soak

clean:
	rm -rf $(VENV) var staticfiles
