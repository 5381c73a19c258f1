# The project's commands. `make serve` and `make test` each do all the set-up a fresh
# machine needs: a virtual environment with the pinned, hash-checked dependencies, and
# (for the browser tests) Debian's Chromium.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1
# The address the site is published at (mkdocs.yml: canonical links, the sitemap); unset for a local build.
export SITE_URL

.PHONY: setup system generate site serve test lint check lock bench

setup: $(STAMP)

# Debian and Ubuntu ship what venv needs in a package of its own (python3-venv): installed if venv fails.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "make: installing python3-venv (apt-get)" >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
		$(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

# The system packages the tests need, from Debian's archive: Chromium for Playwright (never a browser download),
# poppler-utils' pdftotext (the print tests read the PDFs Chromium prints), and Node.js with npm, which runs
# citeproc-js, the reference CSL processor the citation tests compare every citation with.
system:
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftotext || { echo "make: installing chromium poppler-utils (apt-get)" >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils; }
	@test -x /usr/bin/chromium || { echo "make: no /usr/bin/chromium after apt-get: this system's chromium package is not \
		Debian's (on Ubuntu it is a snap); run make test in Debian, e.g. the python:3.12-slim-bookworm image" >&2; exit 1; }
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "make: installing nodejs npm (apt-get)" >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }

# citeproc-js for the tests, exactly as tests/citeproc-js/package-lock.json pins it.
CITEPROC_JS := tests/citeproc-js/node_modules/.package-lock.json
$(CITEPROC_JS): tests/citeproc-js/package-lock.json
	npm ci --prefix tests/citeproc-js --no-audit --no-fund --loglevel=error

generate: setup
	$(PY) -m scripts generate

# Search is indexed from the built pages (Pagefind; README, "Search"), so it is a step after the build.
site: generate
	@test -n "$(SITE_URL)" || echo "make site: SITE_URL is not set: a local build, without canonical links \
		(the deploy workflow sets it to the published address)" >&2
	$(PY) -m mkdocs build --strict -d site
	$(PY) -m scripts index site

# One process (scripts/serve.py) generates docs/, builds the site with MkDocs into .cache/serve/site/ and serves it,
# then after each change to a source, the glossary, see_also.yml or the theme regenerates and rebuilds only the
# pages that changed (the whole site when the navigation or the theme did), reloads the browser and indexes the
# site for search again in the background.
serve: setup
	$(PY) -m scripts serve -a $(HOST):$(PORT)

lint: setup
	$(PY) -m ruff check scripts tests bench

test: setup system $(CITEPROC_JS) lint
	$(PY) -m pytest

# Fails, naming the files, when the committed docs/ differ from what the sources generate.
check: setup lint
	$(PY) -m scripts check

# Re-pin every dependency (with hashes) from requirements.in. pip-tools keeps the versions already pinned
# unless requirements.in asks otherwise (add --upgrade to take the newest); it is the locking tool, not a
# dependency of the project, so it is installed here rather than pinned.
lock: setup
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements.txt requirements.in

# The build benchmark (a report, not a test): corpora of 1 to 1,000 sources in a temporary folder;
# results into BENCHMARKS.md, with search compared in Chromium at 1, 200 and 1,000 sources (lunr as it was,
# Pagefind). Takes long on a small machine; SIZES=1,10 for a quick run.
SIZES ?= 1,10,100,200,1000
bench: setup system
	$(PY) -m bench.run --sizes $(SIZES) --lighthouse
