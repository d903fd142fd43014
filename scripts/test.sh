#!/usr/bin/env bash
# The whole suite: architecture contracts, then pytest against SQLite and PostgreSQL (DB tests run on both), on two
# pytest-xdist workers (each builds its own golden databases and live server: tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/ensure-system.sh | tail -n 1)"
export BASTION_TEST_PG_URL
.venv/bin/lint-imports
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 "$@"
