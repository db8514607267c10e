#!/usr/bin/env bash
# Runs every test: sets up (with the test tools: Debian's Chromium), then pytest.
#
#   bash scripts/test.sh                      all tests, on SQLite
#   bash scripts/test.sh -k sign_in -x        pytest's own options pass through
#   bash scripts/test.sh -m "not browser"     leave out the browser tests
#   DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME bash scripts/test.sh
#                                             on PostgreSQL (the role needs CREATEDB:
#                                             the tests make and drop their own database)
#
# The tests use a data folder of their own (SHIRE_DATA_DIR, a new temporary folder unless
# set), so they never touch the demo's database, uploads or outbox under data/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --test

if [ -z "${SHIRE_DATA_DIR:-}" ]; then
  SHIRE_DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/shire-test.XXXXXX")"
  trap 'rm -rf "$SHIRE_DATA_DIR"' EXIT
fi
export SHIRE_DATA_DIR
# Where static files would be collected; made so WhiteNoise does not warn that it is missing.
mkdir -p "$SHIRE_DATA_DIR/static"

database="SQLite (in memory)"
case "${DATABASE_URL:-}" in
  postgres*) database="PostgreSQL at ${DATABASE_URL##*@}" ;;
  ?*) database="${DATABASE_URL%%:*}" ;;
esac
echo "test: running pytest on $database"

status=0
.venv/bin/pytest "$@" || status=$?
exit "$status"
