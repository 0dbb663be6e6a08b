#!/usr/bin/env bash
# Idempotent set-up for HealthGrid. Fast (well under a second of its own)
# when everything is already in place.
#
#   scripts/setup.sh           what ./run.sh needs
#   scripts/setup.sh --test    plus what ./test.sh needs (PostgreSQL 15,
#                              Chromium, poppler-utils, zbar-tools, [test] extras)
#
# Steps:
#   1. Debian packages, installed only when `dpkg-query` says they are missing
#      (apt-get as root, else through sudo; without either, say what is missing).
#   2. .venv (python3 -m venv) if absent.
#   3. pip install -e . (or -e '.[test]') only when setup.cfg / pyproject.toml
#      changed since the last install, or the extras asked for grew.
#      The stamp lives in .venv/.healthgrid-setup-stamp.
#   3b. SQLite can load SpatiaLite (this Python's sqlite3, else pysqlite3), or stop
#      with what to install.
#   4. pybabel compile for healthgrid/translations, if it has .po files newer
#      than their .mo files.
#
# Environment: PYTHON (interpreter used to create .venv, default python3),
#              HEALTHGRID_SKIP_APT=1 (skip step 1 entirely).
set -euo pipefail

log() { printf 'setup.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

want_test=0
for arg in "$@"; do
    case $arg in
        --test) want_test=1 ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $arg (expected --test)" ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv"
PYTHON=${PYTHON:-python3}

# ---------------------------------------------------------------- 1. Debian
pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# libsqlite3-mod-spatialite: the grid map's geometry on SQLite (SpatiaLite).
packages=(fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 libsqlite3-mod-spatialite)
if (( want_test )); then
    packages+=(postgresql-15 postgresql-15-postgis-3 chromium poppler-utils zbar-tools)
fi
if [[ ! -x $VENV/bin/python ]]; then
    # Only needed to create the venv. Debian's own python3 needs python3-venv
    # for ensurepip; other interpreters (pyenv, ...) bring their own.
    if ! py=$(command -v "$PYTHON"); then
        packages+=(python3 python3-venv)
    elif [[ $(readlink -f "$py") == /usr/bin/python3* ]]; then
        packages+=(python3-venv)
    fi
fi

if [[ ${HEALTHGRID_SKIP_APT:-0} == 1 ]]; then
    :
elif ! command -v dpkg-query >/dev/null; then
    log "not a Debian-like system (no dpkg-query); make sure these are installed: ${packages[*]}"
else
    missing=()
    for p in "${packages[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if (( ${#missing[@]} )); then
        if (( EUID == 0 )); then
            as_root=()
        elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
            as_root=(sudo)
        else
            log "missing Debian packages: ${missing[*]}"
            die "not root and sudo is not available; as root run:
    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}
then re-run this script."
        fi
        log "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        "${as_root[@]}" apt-get update -q >&2 \
            || log "apt-get update failed; trying the install anyway"
        "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
            || die "apt-get install failed for: ${missing[*]}"
    fi
fi

# ---------------------------------------------------------------- 2. venv
if [[ ! -x $VENV/bin/python ]]; then
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "Python >= 3.11 is required ($PYTHON is $("$PYTHON" -V 2>&1))"
    log "creating .venv with $("$PYTHON" -V 2>&1)"
    "$PYTHON" -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    rm -f "$VENV/.healthgrid-setup-stamp"
fi

# ---------------------------------------------------------------- 3. pip
STAMP="$VENV/.healthgrid-setup-stamp"
hash_inputs() {
    local f
    for f in setup.cfg pyproject.toml; do
        if [[ -f $f ]]; then
            printf '%s=%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"
        fi
    done
}
current_hash=$(hash_inputs)
stamp_hash=''
stamp_extras=''
if [[ -f $STAMP ]]; then
    stamp_hash=$(grep -v '^extras=' "$STAMP" || true)
    stamp_extras=$(sed -n 's/^extras=//p' "$STAMP")
fi

need_install=0
if [[ $current_hash != "$stamp_hash" ]]; then
    need_install=1
elif (( want_test )) && [[ $stamp_extras != test ]]; then
    need_install=1
elif [[ ! -e $VENV/bin/flask ]] || { (( want_test )) && [[ ! -e $VENV/bin/pytest ]]; }; then
    need_install=1      # stamp says yes, venv says no: someone removed things
fi

if (( need_install )); then
    # Keep test extras once installed, so ./run.sh after ./test.sh does not reinstall.
    extras=''
    if (( want_test )) || [[ $stamp_extras == test ]]; then
        extras='test'
    fi
    target=.
    [[ -n $extras ]] && target=".[$extras]"
    log "pip install -e '$target' (setup.cfg changed or first install)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --progress-bar off -e "$target" >&2
    { printf '%s\n' "$current_hash"; printf 'extras=%s\n' "$extras"; } > "$STAMP"
fi

# ---------------------------------------------------------------- 3b. SpatiaLite
# The grid map needs SQLite to load SpatiaLite: this Python's sqlite3 if it can load
# extensions (some builds, pyenv's among them, cannot), else pysqlite3 (installed above).
if ! "$VENV/bin/python" - <<'PYEOF' >&2
import sys
try:
    import sqlite3
    sqlite3.Connection.enable_load_extension
except AttributeError:
    try:
        from pysqlite3 import dbapi2 as sqlite3
    except ImportError:
        sys.exit("this Python's sqlite3 cannot load extensions and pysqlite3 is not installed")
conn = sqlite3.connect(":memory:")
conn.enable_load_extension(True)
try:
    conn.load_extension("mod_spatialite")
except Exception as exc:
    sys.exit(f"SpatiaLite does not load: {exc}")
PYEOF
then
    die "SQLite cannot load SpatiaLite (the grid map needs it). Install the Debian package
    libsqlite3-mod-spatialite, and either pip install pysqlite3-binary into .venv or
    recreate .venv from a Python whose sqlite3 loads extensions (PYTHON=/usr/bin/python3)."
fi

# ---------------------------------------------------------------- 4. Babel
TRANSLATIONS=healthgrid/translations
if [[ -d $TRANSLATIONS ]]; then
    stale=0
    found=0
    while IFS= read -r -d '' po; do
        found=1
        mo=${po%.po}.mo
        if [[ ! -f $mo || $po -nt $mo ]]; then stale=1; break; fi
    done < <(find "$TRANSLATIONS" -name '*.po' -print0)
    if (( found && stale )); then
        log "compiling message catalogs in $TRANSLATIONS"
        "$VENV/bin/pybabel" compile -d "$TRANSLATIONS" >&2
    fi
fi

exit 0
