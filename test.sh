#!/usr/bin/env bash
# Run the HealthGrid test suite twice: on SQLite, then on a throwaway
# PostgreSQL 15 cluster that this script starts and always removes.
#
#   ./test.sh [PYTEST ARGS...]        e.g. ./test.sh -x -k referral
#
# HEALTHGRID_TEST_PG=0   skip the PostgreSQL run (quick local runs)
# Exit status: 0 only if every run that was attempted passed. pytest's exit
# code 5 (no tests collected) counts as a failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT" || exit 1

bash scripts/setup.sh --test || { echo "test.sh: set-up failed" >&2; exit 1; }

PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/healthgrid-test.XXXXXX")
PG_DIR=''

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    if [[ -n $PG_DIR && -d $PG_DIR ]]; then
        bash "$ROOT/scripts/pg_throwaway.sh" stop "$PG_DIR" || true
        rmdir -- "$PG_DIR" 2>/dev/null || true   # start failed before using it
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

RUN_ENV=()
summaries=()
overall=0
total_passed=0
total_failed=0
total_skipped=0

# counts FILE -> "passed failed skipped" from a JUnit XML report (empty if unreadable)
counts() {
    "$PY" - "$1" <<'PYEOF' 2>/dev/null
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = f = e = s = 0
for su in suites:
    t += int(su.get("tests", 0)); f += int(su.get("failures", 0))
    e += int(su.get("errors", 0)); s += int(su.get("skipped", 0))
print(t - f - e - s, f + e, s)
PYEOF
}

describe_rc() {
    case $1 in
        0) echo "all tests passed" ;;
        1) echo "some tests failed" ;;
        2) echo "interrupted" ;;
        3) echo "pytest internal error" ;;
        4) echo "pytest usage error" ;;
        5) echo "no tests were collected" ;;
        *) echo "pytest exit code $1" ;;
    esac
}

# run_suite LABEL [PYTEST ARGS] -- runs pytest under `env "${RUN_ENV[@]}"`, records the summary
run_suite() {
    local label=$1 report="$WORK/junit-${1%% *}.xml" rc c detail=''
    echo
    echo "======================== test.sh: $label run ========================"
    env "${RUN_ENV[@]}" "$PY" -m pytest --junitxml="$report" "${@:2}"
    rc=$?
    if c=$(counts "$report") && [[ -n $c ]]; then
        read -r p f s <<<"$c"
        total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
        total_skipped=$((total_skipped + s))
        detail=" ($p passed, $f failed, $s skipped)"
    fi
    if (( rc == 0 )); then
        summaries+=("test.sh: $label run: PASSED$detail")
    else
        summaries+=("test.sh: $label run: FAILED, $(describe_rc "$rc") (pytest exit $rc)$detail")
        overall=1
    fi
}

# ---------------------------------------------------------------- (a) SQLite
# Tests pick the database from DATABASE_URL; unset means SQLite.
RUN_ENV=(-u DATABASE_URL)
run_suite SQLite "$@"

# ---------------------------------------------------------------- (b) PostgreSQL
if [[ ${HEALTHGRID_TEST_PG:-1} == 0 ]]; then
    summaries+=("test.sh: PostgreSQL run: SKIPPED (HEALTHGRID_TEST_PG=0)")
else
    PG_DIR="$WORK/pg"
    if (( EUID == 0 )); then
        # The cluster runs as user postgres, which must reach the directory.
        PG_DIR=$(mktemp -d /tmp/healthgrid-pg.XXXXXX)
    fi
    echo
    if url=$(bash scripts/pg_throwaway.sh start "$PG_DIR"); then
        RUN_ENV=("DATABASE_URL=$url")
        run_suite PostgreSQL "$@"
        # Stop it now so the summary comes last; the EXIT trap covers the rest.
        bash scripts/pg_throwaway.sh stop "$PG_DIR" && PG_DIR=''
    else
        summaries+=("test.sh: PostgreSQL run: FAILED, could not start a PostgreSQL 15 cluster")
        overall=1
    fi
fi

echo
echo "======================== test.sh: summary ========================"
printf '%s\n' "${summaries[@]}"
if (( overall == 0 )); then
    echo "test.sh: OK"
else
    echo "test.sh: FAILED"
fi
# Last line, in the plain 'N passed, N failed' form: totals over both runs.
echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$overall"
