#!/usr/bin/env bash
# Runs Shire with the Leicestershire demo data at http://127.0.0.1:8000 (Ctrl+C stops it).
#
#   bash scripts/demo.sh
#
# Sets up, makes or updates the database (SQLite under data/ unless DATABASE_URL says
# otherwise), loads the demo data (running it again changes nothing) and starts the server,
# with Shire's background worker beside it (`shire db_worker`: it proposes themes, codes
# free-text answers, prepares report files and sends notification e-mails). Ctrl+C stops both.
# Sign in at http://127.0.0.1:8000/staff/sign-in/ as `officer` with `shire-demo-password`.
# SHIRE_DEMO_ADDRESS=127.0.0.1:8001 picks another address.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

# Where `shire collectstatic` would put files; WhiteNoise warns when it is missing.
mkdir -p "${SHIRE_DATA_DIR:-data}/static"

echo "demo: shire migrate"
.venv/bin/shire migrate --no-input
echo "demo: shire demo load"
.venv/bin/shire demo load

# The worker runs the background work the pages queue; it stops with the server. Ctrl+C reaches
# it too, and the TERM below is its second signal: work under way stops at once, and Shire marks
# it as stopped, having changed nothing. (Only one TERM: a third signal would kill the worker
# before it could mark the work.)
echo "demo: shire db_worker (background work)"
.venv/bin/shire db_worker --no-startup-delay &
worker=$!
stop_worker() {
  kill -TERM "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT

address="${SHIRE_DEMO_ADDRESS:-127.0.0.1:8000}"
echo "demo: open http://$address/ (staff pages: http://$address/staff/, username officer, password shire-demo-password)"
.venv/bin/shire runserver "$address"
