# Kenlabour — two commands: `make demo` serves the platform, `make test` checks it all.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
DEMO_ENV := DEBUG=1

.PHONY: demo test install install-dev browser lint messages vendor gazetteer clean

$(VENV)/.runtime: pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kenlabour demande Python 3.11 ou plus récent.")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev]'
	@touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## make demo [PORT=8001]: install, migrate, load the Brittany demo and serve it.
demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo
	@echo "Kenlabour est servi sur http://127.0.0.1:$(PORT)/ (Ctrl+C pour arrêter)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test [TEST_WORKERS=1]: lint, template lint, then the whole suite (browser tests
## included), one worker per core; each test module runs whole on one worker, so that the
## demo a module loads is loaded once. The slowest tests are listed at the end.
TEST_WORKERS ?= auto
test: install-dev browser lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint kenlabour --lint --quiet

browser:
	@bash scripts/install_chromium.sh

## make messages: extract and compile the translations (needs gettext).
messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages --locale en --no-obsolete --add-location file \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'scripts/*' --ignore '*/tests/*'
	DEBUG=1 $(PY) manage.py compilemessages --locale en --ignore '.venv/*'

## make vendor: refresh the committed front-end libraries from the npm registry (needs npm).
vendor:
	bash scripts/refresh_vendor.sh

clean:
	rm -rf $(VENV) var
