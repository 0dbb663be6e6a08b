#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the test suite.
#
#   scripts/pg_throwaway.sh start [DIR]   create + start a cluster in DIR (default:
#                                         a new mktemp -d), create database
#                                         healthgrid_test with PostGIS, print its DATABASE_URL
#                                         (the only thing written to stdout)
#   scripts/pg_throwaway.sh stop [DIR]    stop the cluster and delete DIR
#   scripts/pg_throwaway.sh status [DIR]  exit 0 if it is running
#   scripts/pg_throwaway.sh standby PRIMARY_DIR DIR
#                                         a hot standby of the cluster in PRIMARY_DIR:
#                                         pg_basebackup -R into DIR, started on the
#                                         next free port, streaming from the primary;
#                                         prints its DATABASE_URL (stop it with stop DIR)
#
# Without DIR, stop/status use the last DIR that `start` created (remembered in
# ${TMPDIR:-/tmp}/healthgrid-pg-throwaway-$UID.last).
#
# The server listens on 127.0.0.1 only, on the first free port from
# PG_THROWAWAY_PORT (default 54329) upwards, with a Unix socket in DIR, trust
# auth for user postgres and durability switched off (fsync etc.): it is for
# tests only. As root, initdb and the server run as the `postgres` OS user;
# otherwise as the current user.
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin),
#              PG_THROWAWAY_PORT (first port to try, default 54329),
#              PG_THROWAWAY_DB (database name, default healthgrid_test).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
FIRST_PORT=${PG_THROWAWAY_PORT:-54329}
DB_NAME=${PG_THROWAWAY_DB:-healthgrid_test}
MARKER=.healthgrid-pg-throwaway
LAST_FILE="${TMPDIR:-/tmp}/healthgrid-pg-throwaway-$(id -u).last"

log() { printf 'pg_throwaway.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Run a PostgreSQL server-side binary as the cluster owner.
as_owner() {
    if (( EUID == 0 )); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    # A successful connect means something listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

resolve_dir() {
    local dir=${1:-}
    if [[ -z $dir ]]; then
        [[ -f $LAST_FILE ]] || die "no DIR given and no cluster remembered in $LAST_FILE"
        dir=$(<"$LAST_FILE")
    fi
    printf '%s\n' "$dir"
}

cmd_start() {
    local dir=${1:-}
    [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] \
        || die "PostgreSQL 15 server binaries not found in $PG_BIN (Debian: apt-get install postgresql-15)"
    if (( EUID == 0 )); then
        id postgres >/dev/null 2>&1 || die "OS user 'postgres' does not exist (it comes with the postgresql-15 package)"
        command -v runuser >/dev/null || die "runuser not found (util-linux)"
    fi

    if [[ -z $dir ]]; then
        # As root, use /tmp: the postgres user must be able to reach the directory.
        if (( EUID == 0 )); then
            dir=$(mktemp -d /tmp/healthgrid-pg.XXXXXX)
        else
            dir=$(mktemp -d "${TMPDIR:-/tmp}/healthgrid-pg.XXXXXX")
        fi
    else
        mkdir -p "$dir"
        [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
    fi
    dir=$(cd "$dir" && pwd)
    touch "$dir/$MARKER"
    printf '%s\n' "$dir" > "$LAST_FILE"
    if (( EUID == 0 )); then
        chown postgres: "$dir"
        chmod 0700 "$dir"
        as_owner test -w "$dir" || die "user postgres cannot write to $dir (is a parent directory closed to it?)"
    fi

    # From here on, undo everything if something fails. The subshell keeps
    # `set -e` in force (it would be off inside an `if`/`||` context).
    local rc=0
    set +e
    (set -e; start_cluster "$dir")
    rc=$?
    set -e
    if (( rc != 0 )); then
        log "start failed; cleaning up $dir"
        cmd_stop "$dir" >/dev/null 2>&1 || true
        exit "$rc"
    fi
}

start_cluster() {
    local dir=$1
    local data="$dir/data" initlog="$dir/initdb.log"
    as_owner mkdir -p "$data"
    local initdb=("$PG_BIN/initdb" -D "$data" -A trust -U postgres --encoding=UTF8 --no-sync)
    if ! as_owner "${initdb[@]}" --locale=C.UTF-8 >"$initlog" 2>&1; then
        log "initdb with --locale=C.UTF-8 failed; retrying with --locale=C"
        as_owner rm -rf "$data"
        as_owner mkdir -p "$data"
        as_owner "${initdb[@]}" --locale=C >"$initlog" 2>&1 \
            || { tail -n 20 "$initlog" >&2; false; }
    fi

    launch "$dir"
    local port
    port=$(<"$dir/port")

    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME" \
        || { log "createdb $DB_NAME failed"; false; }
    # The grid map's geometry lives in PostGIS (Debian: postgresql-15-postgis-3).
    "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d "$DB_NAME" \
        -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null \
        || { log "CREATE EXTENSION postgis failed (Debian: apt-get install postgresql-15-postgis-3)"; false; }

    log "PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') running in $dir on 127.0.0.1:$port"
    printf 'postgresql+psycopg://postgres@127.0.0.1:%s/%s\n' "$port" "$DB_NAME"
}

# Start the server of $dir/data on the first free port from FIRST_PORT; write it to $dir/port.
launch() {
    local dir=$1 data="$1/data"
    local port=$FIRST_PORT tries=0 started=0
    while (( tries < 20 )); do
        tries=$((tries + 1))
        if port_in_use "$port"; then
            port=$((port + 1)); continue
        fi
        as_owner rm -f "$dir/server.log"
        if as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null 2>&1; then
            started=1; break
        fi
        if grep -q -i 'address already in use\|could not bind\|could not create lock file' "$dir/server.log" 2>/dev/null; then
            log "port $port is taken; trying $((port + 1))"
            port=$((port + 1)); continue
        fi
        tail -n 20 "$dir/server.log" >&2 || true
        break
    done
    (( started )) || { log "could not start PostgreSQL"; false; }
    printf '%s\n' "$port" > "$dir/port"
}

cmd_standby() {
    local primary dir=${2:-}
    primary=$(resolve_dir "${1:-}")
    [[ -f $primary/port ]] || die "no running cluster in $primary"
    [[ -n $dir ]] || die "give the standby's DIR"
    mkdir -p "$dir"
    [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
    dir=$(cd "$dir" && pwd)
    touch "$dir/$MARKER"
    if (( EUID == 0 )); then
        chown postgres: "$dir"
        chmod 0700 "$dir"
    fi
    local rc=0
    set +e
    (
        set -e
        # -R writes primary_conninfo and standby.signal: the copy starts as a hot standby
        # streaming from the primary.
        as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$(<"$primary/port")" -U postgres \
            -D "$dir/data" -R -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1 \
            || { tail -n 20 "$dir/basebackup.log" >&2; false; }
        launch "$dir"
    )
    rc=$?
    set -e
    if (( rc != 0 )); then
        log "standby failed; cleaning up $dir"
        cmd_stop "$dir" >/dev/null 2>&1 || true
        exit "$rc"
    fi
    log "hot standby of $primary running in $dir on 127.0.0.1:$(<"$dir/port")"
    printf 'postgresql+psycopg://postgres@127.0.0.1:%s/%s\n' "$(<"$dir/port")" "$DB_NAME"
}

cmd_stop() {
    local dir
    dir=$(resolve_dir "${1:-}")
    if [[ ! -d $dir ]]; then
        log "$dir does not exist; nothing to stop"
        return 0
    fi
    # Refuse to delete a directory that this script did not create.
    [[ -f $dir/$MARKER ]] || die "$dir was not made by pg_throwaway.sh; not touching it"
    if [[ -f $dir/data/postmaster.pid ]]; then
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || log "pg_ctl stop failed (server may already be gone)"
        # Last resort: the postmaster pid from the pid file.
        local pid
        pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
        if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            log "postmaster $pid still alive; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
        fi
    fi
    rm -rf -- "$dir"
    if [[ -f $LAST_FILE && $(<"$LAST_FILE") == "$dir" ]]; then
        rm -f "$LAST_FILE"
    fi
    log "stopped and removed $dir"
}

cmd_status() {
    local dir
    dir=$(resolve_dir "${1:-}")
    [[ -d $dir/data ]] || { log "no cluster in $dir"; return 1; }
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >&2
}

case ${1:-} in
    start)  shift; cmd_start "$@" ;;
    stop)   shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    standby) shift; cmd_standby "$@" ;;
    *) usage ;;
esac
