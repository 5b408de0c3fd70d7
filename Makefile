# The README's commands. `make run` serves the app; `make test` runs the whole suite.
HOST ?= 127.0.0.1
PORT ?= 8000
FANLOOP = .venv/bin/fanloop
PYTEST_ARGS ?= -n 2

.PHONY: run setup setup-dev test check lint format messages clean

run: setup
	$(FANLOOP) migrate --noinput
	$(FANLOOP) demo
	exec $(FANLOOP) run --host $(HOST) --port $(PORT)

setup:
	@scripts/setup.sh runtime

setup-dev:
	@scripts/setup.sh dev

# pytest exits 5 when it collects nothing; that is not a failure of the code.
test: setup-dev
	@.venv/bin/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

check: setup-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy fanloop bench
	.venv/bin/fanloop makemigrations --check --dry-run

format: setup-dev
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

messages: setup-dev
	cd fanloop && ../.venv/bin/django-admin makemessages -l zh_Hans --no-obsolete
	cd fanloop && ../.venv/bin/django-admin compilemessages

clean:
	rm -rf .venv frontend/node_modules var
