#!/usr/bin/env bash
# Stop a test S3 server started by start.sh and delete its state folder.
#
#   tests/s3server/stop.sh STATE_DIR
#
# Signals only the PIDs listed in STATE_DIR/pids, in the order listed (gateway, then OSD, then monitor),
# and only while such a process still runs from this STATE_DIR (its command line names the folder), so a
# recycled PID is never hit. SIGTERM, then SIGKILL after ~10 s. Idempotent: a missing folder is success.
set -euo pipefail

readonly MARKER=".ossbackup-test-s3server"
readonly GRACE_TENTHS=100   # ~10 s before SIGKILL

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 STATE_DIR" >&2
    exit 2
fi
if [[ ! -e "$1" ]]; then
    exit 0
fi
STATE="$(cd -- "$1" && pwd -P)"
readonly STATE

alive() {
    local pid="$1" state
    [[ -r "/proc/$pid/stat" ]] || return 1
    # A zombie waiting for its parent to reap it has already stopped.
    state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$state" != "Z" && "$state" != "X" ]]
}

# True when PID is still one of ours: its command line mentions STATE_DIR (ceph daemons get
# -c STATE_DIR/ceph.conf, s3rver gets --directory STATE_DIR/s3rver-data).
ours() {
    local pid="$1" cmdline
    alive "$pid" || return 1
    cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$STATE/"* ]]
}

stop_pid() {
    local pid="$1" i
    ours "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < GRACE_TENTHS; i++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    if ours "$pid"; then
        echo "[s3server] PID $pid did not stop within 10 s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || return 0
            sleep 0.1
        done
        echo "[s3server] PID $pid is still there after SIGKILL" >&2
        return 1
    fi
}

failed=0
if [[ -f "$STATE/pids" ]]; then
    while read -r pid _; do
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        stop_pid "$pid" || failed=1
    done < "$STATE/pids"
fi
((failed == 0)) || { echo "[s3server] not deleting $STATE: a daemon is still running" >&2; exit 1; }

if [[ -f "$STATE/$MARKER" ]]; then
    rm -rf -- "$STATE"
elif [[ -z "$(ls -A -- "$STATE")" ]]; then
    rmdir -- "$STATE"
else
    echo "[s3server] $STATE was not made by start.sh (no $MARKER); leaving it in place" >&2
    exit 1
fi
