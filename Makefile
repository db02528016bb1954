# Quick start: `make run` (set up and serve the demo) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# In CI the suite runs against the machine's real PostgreSQL and Redis.
ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tuanjian
export REDIS_URL ?= redis://127.0.0.1:6379/0
endif

.PHONY: run test install lint lock worker beat bench clean

# Exact versions with their hashes, compiled from pyproject.toml (`make lock`): every install is the same.
$(STAMP): requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo
	@echo "打开 http://127.0.0.1:8000 ，用上面的演示账号登录"
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m ruff check .

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

worker: $(STAMP)
	$(VENV)/bin/celery -A tuanjian worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A tuanjian beat --loglevel=info

bench: $(STAMP)
	$(PY) bench/load_divisions.py

# After changing a range in pyproject.toml: recompile both lock files (pip-tools, in a throwaway venv).
lock:
	$(PYTHON) -m venv /tmp/tuanjian-lock && /tmp/tuanjian-lock/bin/pip install --quiet pip-tools
	/tmp/tuanjian-lock/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	  -o requirements/base.txt pyproject.toml
	/tmp/tuanjian-lock/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --extra dev \
	  -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
