#!/usr/bin/env bash
# Load test: gunicorn (4 workers) on a throwaway PostgreSQL 15 holding a demo district,
# 50 simulated users for 60 s, driven by locust against 127.0.0.1 only.
#
#   bash bench/load/run.sh [RESIDENTS=100000] [USERS=50] [SECONDS=60]
#
# HEALTHGRID_LOAD_DATABASE_URL=postgresql+psycopg://… serves a database already holding a
# demo district (and its indicator store) instead: a million residents take longer to
# build than the test takes to run.
#
# Prints locust's summary and writes bench/load/last-*.csv (not committed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
RESIDENTS=${1:-100000}; USERS=${2:-50}; SECONDS_=${3:-60}
PORT=${HEALTHGRID_LOAD_PORT:-8765}
[[ -x .venv/bin/locust ]] || .venv/bin/pip install -q -e ".[bench]"
PGDIR=
if [[ -n ${HEALTHGRID_LOAD_DATABASE_URL:-} ]]; then
    URL=$HEALTHGRID_LOAD_DATABASE_URL
else
    PGDIR=$(mktemp -d)
    URL=$(bash scripts/pg_throwaway.sh start "$PGDIR")
fi
cleanup() { [[ -n ${GUNICORN:-} ]] && { kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null; } || true
            [[ -z $PGDIR ]] || bash scripts/pg_throwaway.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
export DATABASE_URL=$URL SECRET_KEY=load-test HEALTHGRID_LOGIN_RATE_LIMIT="100000 per minute"
if [[ -z ${HEALTHGRID_LOAD_DATABASE_URL:-} ]]; then
    .venv/bin/flask --app healthgrid db upgrade >/dev/null
    .venv/bin/flask --app healthgrid demo --residents "$RESIDENTS" --seed 1 >/dev/null
fi
.venv/bin/gunicorn -w 4 -b "127.0.0.1:$PORT" --log-level warning 'healthgrid:create_app()' &
GUNICORN=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.5; done
.venv/bin/locust -f bench/load/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    -u "$USERS" -r 10 -t "${SECONDS_}s" --csv bench/load/last --only-summary
