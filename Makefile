# Entry points of the course. Every target sets up the local environment first (once; a second run
# only checks that it is up to date), so a fresh clone needs nothing but python3 >= 3.10 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
READY  := $(VENV)/.installed
# nbgrader calls its own helper commands (alembic), so the environment's scripts come first.
export PATH := $(BIN):$(PATH)

.PHONY: help setup system lab test test-fast exercises doctor lock clean

help:
	@echo "make lab        open JupyterLab on the course (sets everything up on the first run)"
	@echo "make test       run the whole test suite"
	@echo "make test-fast  the quick tests only (no notebook execution, no nbgrader runs)"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make doctor     check the environment and print a fix for every problem"
	@echo "make system     install the Debian packages of requirements/debian.txt (the grading sandbox, ...)"
	@echo "make lock       refresh requirements/lock.txt from the ranges in pyproject.toml"
	@echo "make release    regenerate exercises/ and check them (rules, leaks, nbgrader validate)"
	@echo "make grade-demo grade a seeded demo class end to end into build/grade-demo/"
	@echo "make bench      parallel warm grader vs serial nbgrader, where the time goes; notebook run times (BENCH_ARGS=--no-slow ...)"
	@echo "make scale      grade a synthetic class of 1,000 hand-ins; throughput and memory per worker (CLUSTER=...)"
	@echo "make mutants    mutation testing: does every slip in an answer cell lose its points? (MUTANTS_ARGS=drift ...)"
	@echo "make site       build the course website into build/site/ (static, offline)"
	@echo "make test-site  build the website and test it (pages, links, leaks, headless Chromium)"
	@echo "make classroom  JupyterHub on 127.0.0.1 with nbgrader's exchange and a PostgreSQL gradebook (root)"
	@echo "make classroom-stop  stop it; make test-classroom  the whole term and the browser tests"

$(READY): pyproject.toml requirements/lock.txt $(wildcard jupyter-settings/*/*.json)
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 14) else "Python 3.10 to 3.13 is needed, found " + sys.version.split()[0] + ": install one and run make PYTHON=python3.12 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[test,site,classroom]"
	@# an editable install skips the package's data files: JupyterLab's settings (no update pop-ups, ...)
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d $(VENV)/etc/jupyter/labconfig/page_config.d
	cp jupyter-settings/overrides.d/*.json $(VENV)/share/jupyter/lab/settings/overrides.d/
	cp jupyter-settings/page_config.d/*.json $(VENV)/etc/jupyter/labconfig/page_config.d/
	@touch $(READY)

setup: $(READY)

# System parts (the grading sandbox, ...) come from Debian; as root directly, else through sudo.
SUDO := $(if $(filter 0,$(shell id -u 2>/dev/null)),,sudo)
system:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  $$(grep -v '^\s*#' requirements/debian.txt)

# Jupyter refuses to run as root unless told; containers and cloud machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) --ServerApp.root_dir="$(CURDIR)" README.md

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: setup
	$(BIN)/python -m pytest -m "not slow" -p no:xdist

exercises: setup
	$(BIN)/mlops-course exercises

doctor: setup
	$(BIN)/mlops-course doctor

# A fresh environment resolves the ranges of pyproject.toml; its exact versions become the lock.
# Run it with the oldest supported Python (3.10) so the lock installs on 3.10 to 3.13.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet -e ".[test,site,classroom]"
	{ echo "# Exact versions every learner and CI install: pip install -c requirements/lock.txt -e '.[test]'"; \
	  echo "# Refreshed with 'make lock PYTHON=python3.10' (see README)."; \
	  build/lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements/lock.txt
	rm -rf build/lock-venv

clean:
	rm -rf $(VENV) build grader/course .pytest_cache

# Instructor toolkit (`mlops-course --help` lists every command). grade-demo grades a seeded demo class
# into build/grade-demo/; bench compares the parallel grader with plain serial nbgrader.
.PHONY: release grade-demo bench scale

release: setup
	$(BIN)/mlops-course release

grade-demo: setup
	$(BIN)/mlops-course demo

bench: setup
	$(BIN)/python bench/benchmark.py $(BENCH_ARGS)

# make scale HAND_INS=3000 CLUSTER=tcp://host:8786 sizes a cluster; without CLUSTER, this machine.
scale: setup
	$(BIN)/python bench/scale.py --hand-ins $(or $(HAND_INS),1000) $(if $(CLUSTER),--cluster $(CLUSTER))

# Mutants of every answer cell run against their question's tests, one kernel per assignment; fails below
# 95 % killed. MUTANTS_ARGS narrows it: make mutants MUTANTS_ARGS="drift --question q1_psi_numeric".
.PHONY: mutants
mutants: setup
	$(BIN)/python -m mlops_course.mutants $(MUTANTS_ARGS)

# A classroom on this machine (see README, "Teaching a class"): JupyterHub on 127.0.0.1, accounts,
# nbgrader's exchange, a PostgreSQL gradebook. Needs root and `make system`.
.PHONY: classroom classroom-stop test-classroom

classroom: setup
	$(BIN)/python classroom/classroom.py up

classroom-stop:
	$(BIN)/python classroom/classroom.py down

test-classroom: setup
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[test,classroom]"
	$(BIN)/python -m pytest classroom/tests -p no:xdist -p no:cacheprovider

# The course website (site/README.md): Sphinx with MyST-NB renders the committed notebooks into build/site/.
# Its packages are the `site` extra; its browser test needs Debian's chromium (`make system`).
.PHONY: site test-site
SITE_READY := $(VENV)/.installed-site

$(SITE_READY): $(READY)
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[test,site]"
	@touch $(SITE_READY)

site: $(SITE_READY)
	$(BIN)/python site/build.py

test-site: $(SITE_READY)
	$(BIN)/python -m pytest site/tests -p no:xdist
