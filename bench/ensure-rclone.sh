#!/usr/bin/env bash
# Makes Debian's rclone available for the restore and inventory benchmarks (they compare OssBackup with it).
#
#   bench/ensure-rclone.sh
#
# Installs the `rclone` package with apt-get when the command is missing (as root; the machines that run the
# benchmarks are, like the ones that run tests/s3server/start.sh). Prints the path of rclone as the last line.
set -euo pipefail

log() { printf '[rclone %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[rclone] ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v rclone > /dev/null 2>&1; then
    command -v apt-get > /dev/null 2>&1 || die "rclone is missing and there is no apt-get to install it"
    [[ $(id -u) -eq 0 ]] || die "rclone is missing; installing it with apt-get needs root"
    log "installing Debian's rclone with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
    (
        # Benchmarks and test servers starting at once must not race on apt's locks.
        if command -v flock > /dev/null 2>&1; then flock -w 600 9 || exit 1; fi
        command -v rclone > /dev/null 2>&1 && exit 0
        # Refresh the package lists only when they do not know the package yet.
        if ! apt-cache show rclone > /dev/null 2>&1; then "${apt[@]}" update; fi
        if ! "${apt[@]}" install --no-install-recommends rclone; then
            # Stale lists point at versions no longer on the mirror: refresh once and retry.
            "${apt[@]}" update
            "${apt[@]}" install --no-install-recommends rclone
        fi
    ) 9> /var/lock/ossbackup-bench-rclone-install.lock >&2 || die "apt-get could not install rclone"
    command -v rclone > /dev/null 2>&1 || die "rclone was installed but is not on PATH"
fi
command -v rclone
