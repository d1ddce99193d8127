# Autoimmune Therapy Handbook: build and test.
#
#   make all     HTML book, PDFs (tagged print edition and xelatex), EPUB in _build/
#   make test    every test
#
# On a fresh Debian machine these two are all you need: the first run
# creates .venv from the lock files in requirements/ and installs the Debian
# packages the build needs (as root, or with password-less sudo; otherwise it
# stops and prints the one command to run).

PYTHON_SYSTEM ?= python3
VENV          := .venv
PYTHON        := $(VENV)/bin/python
PAPER         ?= a4
# The tools read PAPER and HANDBOOK_BASEURL in one place (handbook/settings.py),
# check them (a bad value is refused by name) and pass them to Sphinx with -D.
BUILD         := $(PYTHON) -m handbook.build
export PAPER HANDBOOK_BASEURL

# Debian packages the build and the tests use, and a command each provides.
DEB_BUILD := latexmk:latexmk xelatex:texlive-xetex fncychap.sty:texlive-latex-extra \
             ptmr8t.tfm:texlive-fonts-recommended FreeSerif.otf:fonts-freefont-otf \
             pdftotext:poppler-utils rsvg-convert:librsvg2-bin \
             libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 \
             OpenSans-Regular.ttf:fonts-open-sans
DEB_TEST  := chromium:chromium java:default-jre-headless /usr/share/java/epubcheck.jar:epubcheck \
             hunspell:hunspell node:nodejs npm:npm \
             hyperfine:hyperfine
# Programs the tests run whose shared libraries no Debian package pulls in for
# us (Playwright's driver comes from pip): ldd finds what they lack.
LIBS_TEST := --libraries-of /usr/lib/chromium/chromium \
             --libraries-of '$(VENV)/lib/python*/site-packages/playwright/driver/node'
EDITION   = $(shell sed -n 's/^edition: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/p' book/_data/edition.yaml)

.DEFAULT_GOAL := help
.PHONY: help all html pdf chapters chapter new-chapter epub letter print serve linkcheck test test-fast bench dist clean \
        venv venv-build lock system-deps system-deps-test checkers check-pins

help: ## List the targets
	@echo "Autoimmune Therapy Handbook, edition $(EDITION)"
	@echo
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14 | sed 's/^/  make /'
	@echo
	@echo "  Variables: PAPER=a4|letter (PDF page size), HANDBOOK_BASEURL=https://... (where the site is hosted)"

all: venv-build system-deps ## Build everything: HTML, EPUB, checklist, the tagged print edition and the xelatex PDFs
	$(BUILD) all

html: venv-build system-deps ## Build the HTML book (_build/html)
	$(BUILD) html

pdf: venv-build system-deps ## Build the xelatex book PDF (_build/pdf/, A4; PAPER=letter for US Letter)
	$(BUILD) pdf

letter: ## Build the book and chapter PDFs on US Letter paper (_build/print-letter/, _build/pdf-letter/)
	$(MAKE) print pdf chapters PAPER=letter

chapters: venv-build system-deps ## Build one xelatex PDF per chapter (_build/pdf/chapters/)
	$(BUILD) chapters

chapter: venv-build system-deps ## Export one chapter: make chapter NAME=risks [FORMAT=pdf|epub|html]
	@test -n "$(NAME)" || { echo "usage: make chapter NAME=<number or slug> [FORMAT=pdf|epub|html]"; exit 2; }
	$(PYTHON) -m handbook.export "$(NAME)" --format $(or $(FORMAT),pdf)

epub: venv-build system-deps ## Build the EPUB (_build/epub/)
	$(BUILD) epub

print: venv-build system-deps ## Build the tagged PDF/UA edition by WeasyPrint, book and chapters (_build/print/; PAPER=letter: _build/print-letter/)
	$(BUILD) print

new-chapter: venv ## Start a chapter: make new-chapter NAME=care-team TITLE="Your care team" [AFTER=risks]
	@test -n "$(NAME)" -a -n "$(TITLE)" || { echo 'usage: make new-chapter NAME=<slug> TITLE="<title>" [AFTER=<slug>]'; exit 2; }
	$(PYTHON) -m handbook.new_chapter "$(NAME)" "$(TITLE)" $(if $(AFTER),--after "$(AFTER)")

serve: venv-build ## Live preview at http://127.0.0.1:8000 (PORT=...), strict like make html; reloads on every save
	$(PYTHON) -m handbook.serve --paper $(PAPER) --port $(or $(PORT),8000)

linkcheck: venv ## Check external links (needs the network)
	$(PYTHON) -m sphinx -b linkcheck -c . -q book _build/linkcheck

# The full suite runs on every core (pytest-xdist), a test file to a worker,
# the longest files first (tests/conftest.py); TEST_WORKERS=0 runs it in one
# process.
TEST_WORKERS ?= logical
test: venv system-deps system-deps-test checkers ## Run every test (builds once into a temporary folder)
	$(PYTHON) -m pytest --numprocesses $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: venv system-deps system-deps-test ## Run the fast tier: pure functions and small Sphinx projects, no book build (tests/fast/)
	$(PYTHON) -m pytest tests/fast

bench: venv system-deps system-deps-test ## Measure build and page-load performance (_build/bench.json)
	$(PYTHON) -m handbook.bench

dist: all ## Offline bundle: dist/autoimmune-therapy-handbook-<edition>.zip and its checksum
	$(PYTHON) -m handbook.make_dist

clean: ## Remove every build output
	rm -rf _build dist

# -- set-up -------------------------------------------------------------------

# The virtualenv is installed from the lock files in requirements/ again
# whenever one of them or pyproject.toml changes. The build targets need only
# the build set (requirements/build.txt; what Read the Docs and GitHub Pages
# install); `venv`, which the test targets use, adds the test set
# (requirements/test.txt, which pins the build set too). The handbook's own
# code (the package handbook/) is installed editable: an edit to it takes
# effect without installing again.
venv: $(VENV)/.installed-test
venv-build: $(VENV)/.installed-build
$(VENV)/.installed-build: requirements/build.txt pyproject.toml
	test -x $(PYTHON) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements/build.txt
	$(PYTHON) -m pip install --quiet --no-deps --editable .
	touch $@
$(VENV)/.installed-test: $(VENV)/.installed-build requirements/test.txt
	$(PYTHON) -m pip install --quiet -r requirements/test.txt
	touch $@

# The lock files are made from the short lists in requirements/*.in (each
# direct dependency and why) by pip-tools, which requirements/dev.txt pins.
# A pin stays where it is unless UPGRADE names its package (or is --all).
PIP_COMPILE := $(abspath $(VENV))/bin/pip-compile --quiet --strip-extras --annotation-style=line \
               --no-emit-find-links --no-emit-index-url --no-emit-trusted-host \
               $(if $(filter --all,$(UPGRADE)),--upgrade,$(addprefix --upgrade-package ,$(UPGRADE)))
lock: venv ## Pin requirements/*.txt again from requirements/*.in (needs PyPI; UPGRADE=<package>|--all moves pins)
	$(PYTHON) -m pip install --quiet -r requirements/dev.txt
	cd requirements && for set in build test dev; do $(PIP_COMPILE) $$set.in || exit 1; done

system-deps:
	@$(PYTHON_SYSTEM) scripts/system_deps.py $(DEB_BUILD)

system-deps-test: venv
	@$(PYTHON_SYSTEM) scripts/system_deps.py $(DEB_TEST) $(LIBS_TEST)

# The accessibility checkers the tests run, Ace by DAISY (EPUB) and axe-core
# (web pages), pinned in package-lock.json and installed again when it
# changes. No package runs an install script (also said in .npmrc): puppeteer
# would download a browser, and the tests use Debian's chromium. Debian 12's
# nodejs 18 and npm 9 are older than Ace 1.4.6 says it needs (node >= 20); it
# works on them, and --loglevel=error keeps npm from warning about that.
checkers: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json | system-deps-test
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

check-pins: ## Check that the lock files in requirements/ install on Debian's own Python (needs PyPI)
	$(PYTHON_SYSTEM) scripts/check_pins.py
