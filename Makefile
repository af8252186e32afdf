# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both install the locked dependency set (hashes checked), then Stockade itself without dependencies.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK      := requirements.lock
TEST_LOCK := requirements-test.lock
# Locks are resolved against the default package index only, whatever this machine's pip config says.
LOCK_ENV  ?= PIP_CONFIG_FILE=/dev/null
COMPILE   := $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --strip-extras
CHROMIUM := /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck unit bench lock audit sbom clean

$(STAMP): pyproject.toml $(TEST_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	# Stockade's own bytecode, once, as pip writes it for a wheel (an editable install does not, and
	# where PYTHONDONTWRITEBYTECODE is set every process would compile them again at start).
	$(BIN)/python -m compileall -q -j 0 src
	touch $@

demo: $(STAMP)
	$(BIN)/stockade demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium, never a downloaded one.
$(CHROMIUM):
	$(SUDO) apt-get install -y chromium || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

unit: $(STAMP) $(CHROMIUM)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench

# Re-resolve both locks from pyproject.toml (keeps existing pins where they still fit; new
# dependencies get pinned with their hashes). Run after adding or changing a dependency.
lock: $(STAMP)
	$(LOCK_ENV) $(COMPILE) -o $(LOCK) pyproject.toml
	$(LOCK_ENV) $(COMPILE) --extra test -o $(TEST_LOCK) pyproject.toml

# Known vulnerabilities in the locked set (pip-audit); reasons for any ignored one: .pip-audit-ignore
audit: $(STAMP)
	$(BIN)/python .ci/audit.py $(TEST_LOCK)

# CycloneDX SBOM of what the locked set installs
sbom: $(STAMP)
	$(BIN)/cyclonedx-py requirements $(LOCK) --of JSON -o sbom.cdx.json
	@echo "wrote sbom.cdx.json"

clean:
	rm -rf $(VENV) stockade-data stockade-demo bench/results sbom.cdx.json
