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

echo "== tests on SQLite"
unset JINGZHUN_DATABASE_URL
python -m pytest "$@"

echo "== tests on PostgreSQL"
if bash scripts/ensure-postgres.sh; then
  JINGZHUN_DATABASE_URL="${JINGZHUN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/jingzhun}" \
    python -m pytest -m "not browser and not engine_independent" "$@"
else
  echo "SKIPPED: PostgreSQL pass (no server could be started on 127.0.0.1:5432)"
fi
