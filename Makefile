# Each target builds its own virtual environment in .venv on first use. Packages are
# installed without compiling their modules to bytecode up front (--no-compile): Python
# compiles the modules it imports when it first imports them, and most of Jupyter's
# are never imported here, so the install takes some 25 s less.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run staffordshire app test lint docs bench clean

$(BIN)/costmodel: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev,notebooks]'
	touch $@

# The main job: the report on the calibrated case (PDF, workbook and technical note) for
# Northamptonshire.
run: $(BIN)/costmodel
	$(BIN)/costmodel baseline --area northamptonshire
	$(BIN)/costmodel report --scenario calibrated --area northamptonshire --force \
		--out reports/northamptonshire-calibrated.pdf \
		--xlsx reports/northamptonshire-calibrated.xlsx \
		--note reports/northamptonshire-calibrated-technical-note.pdf

# The second shipped area: Staffordshire's baseline and report.
staffordshire: $(BIN)/costmodel
	$(BIN)/costmodel baseline --area staffordshire
	$(BIN)/costmodel report --area staffordshire --scenario central --force \
		--out reports/staffordshire-central.pdf --xlsx reports/staffordshire-central.xlsx

# The commissioners' app, served without code on http://127.0.0.1:8866/ (Ctrl-C stops it).
app: $(BIN)/costmodel
	$(BIN)/costmodel app

# Debian's Chromium and ChromeDriver for the browser tests, installed when missing
# (with apt-get, as root, or through sudo).
CHROMEDRIVER = /usr/bin/chromedriver
$(CHROMEDRIVER):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium chromium-driver

# Two workers (the machine's two cores), a test file (or a group of files that share a
# fixture) to a worker so that its fixtures are built once, the longest first
# (tests/conftest.py orders them).
test: lint $(CHROMEDRIVER)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder

# Lint, formatting and type checks (part of make test).
lint: $(BIN)/costmodel
	$(BIN)/python -m ruff check costmodel tests $(wildcard benchmarks)
	$(BIN)/python -m ruff format --check costmodel tests $(wildcard benchmarks)
	$(BIN)/python -m mypy

# The docs site (MkDocs, pages in docs/) in site/, with the API reference generated from
# the docstrings (pdoc) in site/api/: open site/index.html.
docs: $(BIN)/costmodel
	$(BIN)/python -m mkdocs build --strict --quiet
	$(BIN)/python -m pdoc --docformat restructuredtext -o site/api costmodel \
		costmodel.params costmodel.greenbook costmodel.model costmodel.analysis \
		costmodel.present costmodel.cli

bench: $(BIN)/costmodel
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) .pytest_cache build dist site
