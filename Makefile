# Two commands for a fresh Debian 12 machine (as root): `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent and quick when done).
PY := .venv/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup run test lint bench fuzz fuzz-zvt clean

setup:
	@bash scripts/setup.sh

run: setup
	$(PY) -m kiosk run --config config.toml

test: setup
	$(PY) -m pytest
	$(MAKE) --no-print-directory lint

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: setup
	@for b in bench/*_bench.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The ZVT decoder fuzz test with a long budget (make test runs it briefly).
fuzz-zvt: setup
	ZVT_FUZZ_EXAMPLES=$${ZVT_FUZZ_EXAMPLES:-20000} $(PY) -m pytest tests/payment/test_fuzz_zvt.py
fuzz: setup  ## a longer run of the SIP2 decoder/connection fuzz test (issue 11 item 7)
	SIP2_FUZZ_EXAMPLES=$${SIP2_FUZZ_EXAMPLES:-20000} $(PY) -m pytest -q -s -p no:cacheprovider --timeout=0 tests/sip2/test_fuzz.py

clean:
	rm -rf .venv build *.egg-info

.PHONY: deb package-test deploy-check lock
# Production (docs/deployment.md). Not part of `make test`: they need root, the Debian archive and minutes.
deb:
	@bash deploy/build-deb.sh

package-test: deb deploy-check
	@bash deploy/package-test.sh

# promtool (Debian's prometheus package) and ansible-lint (PyPI, in its own venv) on deploy/.
deploy-check: setup
	@bash deploy/deploy-check.sh

# Regenerate deploy/requirements-runtime.txt (hashed runtime lock) after changing a runtime dependency.
lock: setup
	$(PY) deploy/lock-runtime.py
