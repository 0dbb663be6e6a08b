#!/usr/bin/env bash
# Set up (if needed) and start HealthGrid on http://127.0.0.1:5000/
#
# First run: creates instance/, a SECRET_KEY (kept in instance/secret_key),
# the SQLite database instance/healthgrid.db (flask db upgrade) and demo data
# (flask demo; it prints the demo accounts). Later runs apply any new
# migrations and start the server.
#
# Environment:
#   HEALTHGRID_HOST / HEALTHGRID_PORT       bind address (127.0.0.1 / 5000)
#   HEALTHGRID_DEMO_RESIDENTS               demo size on first run (20000)
#   HEALTHGRID_DEMO_SEED                    demo random seed (1)
#   SECRET_KEY                              overrides instance/secret_key
#   DATABASE_URL                            use another database instead of
#                                           instance/healthgrid.db (migrated,
#                                           not seeded: run `flask demo` yourself)
# Extra arguments are passed to gunicorn.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

bash scripts/setup.sh

mkdir -p instance
FLASK=("$ROOT/.venv/bin/flask" --app healthgrid)

# A SECRET_KEY that survives restarts (sessions stay valid), made once.
if [[ -z ${SECRET_KEY:-} ]]; then
    if [[ ! -s instance/secret_key ]]; then
        (umask 077 && "$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))' \
            > instance/secret_key.tmp && mv instance/secret_key.tmp instance/secret_key)
        echo "run.sh: generated a new SECRET_KEY in instance/secret_key"
    fi
    SECRET_KEY=$(<instance/secret_key)
fi
export SECRET_KEY

DB=instance/healthgrid.db
if [[ -n ${DATABASE_URL:-} ]]; then
    echo "run.sh: DATABASE_URL is set; applying migrations there (no demo data is loaded)"
    "${FLASK[@]}" db upgrade
elif [[ ! -e $DB ]]; then
    echo "run.sh: first run: creating $DB and loading demo data"
    if ! { "${FLASK[@]}" db upgrade &&
           "${FLASK[@]}" demo --residents "${HEALTHGRID_DEMO_RESIDENTS:-20000}" \
                              --seed "${HEALTHGRID_DEMO_SEED:-1}"; }; then
        rm -f "$DB"          # so the next run starts over instead of serving a half-made DB
        echo "run.sh: ERROR: database set-up failed; $DB removed" >&2
        exit 1
    fi
else
    "${FLASK[@]}" db upgrade   # new migrations since the last run, if any
fi

host=${HEALTHGRID_HOST:-127.0.0.1}
port=${HEALTHGRID_PORT:-5000}
echo "run.sh: serving on http://$host:$port/ (Ctrl-C to stop)"
# gunicorn, as in production: the development server would announce its version.
exec "$ROOT/.venv/bin/gunicorn" --workers "${HEALTHGRID_WORKERS:-2}" --bind "$host:$port" \
    --access-logfile - "$@" 'healthgrid:create_app()'

