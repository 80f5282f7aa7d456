#!/usr/bin/env bash
# The README's second command: install into .venv, then lint and test on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh test
. .venv/bin/activate

echo "== ruff"
ruff check src tests benchmarks
ruff format --check src tests benchmarks
echo "== django checks"
export JINGZHUN_HOME="${JINGZHUN_HOME:-$(mktemp -d)}"
jingzhun check
jingzhun makemigrations --check --dry-run >/dev/null

# Both cores (pytest-xdist): files are spread over the workers whole, so a module's fixtures
# are built once; each worker has its own test database and data folder (tests/worker_home.py).
workers=(-n "${JINGZHUN_TEST_WORKERS:-2}" --dist loadfile)

echo "== tests on SQLite"
unset JINGZHUN_DATABASE_URL
python -m pytest "${workers[@]}" "$@"

echo "== tests on PostgreSQL"
if bash scripts/ensure-postgres.sh; then
  JINGZHUN_DATABASE_URL="${JINGZHUN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/jingzhun}" \
    python -m pytest "${workers[@]}" -m "not browser and not engine_independent" "$@"
else
  echo "SKIPPED: PostgreSQL pass (no server could be started on 127.0.0.1:5432)"
fi
