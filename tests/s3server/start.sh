#!/usr/bin/env bash
# Start a throw-away S3 server for OssBackup's tests.
#
#   tests/s3server/start.sh STATE_DIR
#
# Server of record: a fresh single-node Ceph cluster (1 mon, 1 bluestore OSD, 1 RADOS Gateway) bound to
# 127.0.0.1 only, with every state, run, log and admin-socket file inside STATE_DIR. The Debian packages
# are installed when missing (root + apt-get). Only where they cannot be installed (no apt-get, or not
# root), or when OSSBACKUP_TEST_S3_SERVER=s3rver forces it, the lenient s3rver fake is started instead.
#
# On success: STATE_DIR/env (KEY=VALUE lines), STATE_DIR/pids (one PID a line, in stop order) and the
# endpoint URL as the last line on stdout. Progress goes to stderr. Stop with stop.sh STATE_DIR.
#
# Environment:
#   OSSBACKUP_TEST_S3_SERVER         rgw | s3rver | unset (rgw, falling back to s3rver only if RGW cannot be installed)
#   OSSBACKUP_TEST_S3_START_TIMEOUT  seconds allowed for the daemons to come up (default 120; package installs not counted)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly ACCESS_KEY="OSSBACKUPTESTKEY0001"
readonly SECRET_KEY="ossbackup-test-secret-0001-do-not-use"
readonly OTHER_ACCESS_KEY="OSSBACKUPTESTKEY0002"
readonly OTHER_SECRET_KEY="ossbackup-test-secret-0002-do-not-use"
readonly REGION="us-east-1"
readonly MARKER=".ossbackup-test-s3server"
readonly RGW_PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)
readonly RGW_BINARIES=(ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool)

log() { printf '[s3server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[s3server] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 STATE_DIR" >&2
    exit 2
fi

requested="${OSSBACKUP_TEST_S3_SERVER:-}"
case "$requested" in
    ""|rgw|s3rver) ;;
    *) die "OSSBACKUP_TEST_S3_SERVER must be 'rgw', 's3rver' or unset, not '$requested'" ;;
esac
timeout_s="${OSSBACKUP_TEST_S3_START_TIMEOUT:-120}"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "OSSBACKUP_TEST_S3_START_TIMEOUT must be a number of seconds"

# --- the state folder: must be new or empty, so every start is a fresh cluster -------------------------
mkdir -p -- "$1"
STATE="$(cd -- "$1" && pwd -P)"
readonly STATE
if [[ -n "$(ls -A -- "$STATE")" ]]; then
    die "STATE_DIR $STATE is not empty; give a new or empty folder (stop.sh removes a finished one)"
fi
# stop.sh deletes STATE_DIR only when this marker is there.
printf 'created by %s\n' "$0" > "$STATE/$MARKER"
: > "$STATE/pids"

started_pids=()   # in stop order: newest (gateway) first
started_at=$SECONDS
deadline=0
phase="startup"

write_pids() {
    local tmp="$STATE/pids.tmp"
    if ((${#started_pids[@]})); then printf '%s\n' "${started_pids[@]}" > "$tmp"; else : > "$tmp"; fi
    mv -f -- "$tmp" "$STATE/pids"
}

# Runs a daemon in the background with no tie to our stdout/stderr (a caller reading our output to its
# end must not wait for the daemons) and records its PID before anything else can fail.
spawn() {
    local out="$1"; shift
    "$@" < /dev/null >> "$out" 2>&1 &
    local pid=$!
    started_pids=("$pid" "${started_pids[@]}")
    write_pids
    last_pid=$pid
}

alive() {
    local pid="$1" state
    [[ -r "/proc/$pid/stat" ]] || return 1
    # A zombie (not yet reaped by its new parent) counts as gone.
    state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$state" != "Z" && "$state" != "X" ]]
}

show_tail() {
    local f
    for f in "$@"; do
        [[ -s "$f" ]] || continue
        printf '\n----- last lines of %s -----\n' "$f" >&2
        tail -n 25 -- "$f" >&2 || true
    done
}

on_exit() {
    local rc=$?
    ((rc == 0)) && return 0
    printf '\n[s3server] start failed during: %s (after %ss)\n' "$phase" "$((SECONDS - started_at))" >&2
    shopt -s nullglob
    show_tail "$STATE"/install.log "$STATE"/log/*
    shopt -u nullglob
    if ((${#started_pids[@]})); then
        printf '[s3server] stopping the daemons started so far: %s\n' "${started_pids[*]}" >&2
        local pid i
        for pid in "${started_pids[@]}"; do
            kill -TERM "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.2; done
            kill -KILL "$pid" 2>/dev/null || true
        done
    fi
    printf '[s3server] state and logs kept in %s; remove it with stop.sh %s\n' "$STATE" "$STATE" >&2
}
trap on_exit EXIT
# Run on_exit (stop what was started) when interrupted too.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

check_deadline() {
    ((SECONDS < deadline)) || die "timed out after ${timeout_s}s waiting for: $phase"
}

# Runs a command that might hang, for at most MAX seconds and never past the deadline.
bounded() {
    local max="$1" left=$((deadline - SECONDS)); shift
    ((left < 1)) && left=1
    ((left > max)) && left=$max
    timeout "$left" "$@"
}

# --- free loopback ports -----------------------------------------------------------------------------------
# Ports in use on this machine (any state, IPv4 and IPv6), read from /proc so no extra tool is needed.
used_ports() {
    local f sl local_addr rest
    for f in /proc/net/tcp /proc/net/tcp6; do
        [[ -r "$f" ]] || continue
        while read -r sl local_addr rest; do
            [[ "$sl" == sl ]] && continue
            echo $((16#${local_addr##*:}))
        done < "$f"
    done
}

chosen_ports=" "
# Picks a random free port below the ephemeral range (so outgoing connections cannot take it meanwhile)
# and away from Ceph's OSD range 6800-7300.
pick_port() {
    local used port tries
    used=" $(used_ports | sort -un | tr '\n' ' ') "
    for ((tries = 0; tries < 200; tries++)); do
        port=$((10000 + (RANDOM * 32768 + RANDOM) % 22000))
        [[ "$used" == *" $port "* || "$chosen_ports" == *" $port "* ]] && continue
        chosen_ports+="$port "
        echo "$port"
        return 0
    done
    die "found no free TCP port"
}

# --- signed requests -----------------------------------------------------------------------------------------
# SHA-256 of an empty payload. curl 7.88 (Debian 12) signs with --aws-sigv4 but, unlike curl 8, sends no
# x-amz-content-sha256 header, and RGW then answers 403 SignatureDoesNotMatch: pass it explicitly.
readonly EMPTY_SHA256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# HTTP status of a SigV4-signed ListBuckets (000 when nothing answers).
signed_list_status() {
    local endpoint="$1" key="$2" secret="$3"
    curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -H "x-amz-content-sha256: $EMPTY_SHA256" \
        --aws-sigv4 "aws:amz:$REGION:s3" --user "$key:$secret" "$endpoint/" 2>/dev/null || true
}

write_env() {
    local server="$1" endpoint="$2" key="$3" secret="$4"
    {
        echo "OSSBACKUP_TEST_S3_ENDPOINT=$endpoint"
        echo "OSSBACKUP_TEST_S3_ACCESS_KEY=$key"
        echo "OSSBACKUP_TEST_S3_SECRET_KEY=$secret"
        echo "OSSBACKUP_TEST_S3_SERVER=$server"
        echo "OSSBACKUP_TEST_S3_REGION=$REGION"
        if [[ "$server" == rgw ]]; then
            echo "OSSBACKUP_TEST_S3_OTHER_ACCESS_KEY=$OTHER_ACCESS_KEY"
            echo "OSSBACKUP_TEST_S3_OTHER_SECRET_KEY=$OTHER_SECRET_KEY"
            echo "OSSBACKUP_TEST_S3_STORAGE_CLASSES=STANDARD,STANDARD_IA"
        fi
    } > "$STATE/env.tmp"
    mv -f -- "$STATE/env.tmp" "$STATE/env"
}

have_rgw_binaries() {
    local b
    for b in "${RGW_BINARIES[@]}"; do command -v "$b" > /dev/null 2>&1 || return 1; done
}

# --- package install (root + apt-get only) ------------------------------------------------------------------
install_rgw() {
    phase="installing ${RGW_PACKAGES[*]} with apt-get"
    local logf="$STATE/install.log" t0=$SECONDS
    log "installing ${RGW_PACKAGES[*]} (log: $logf)"
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
    (
        # Two test runs starting at once must not race on apt's locks.
        if command -v flock > /dev/null 2>&1; then flock -w 600 9 || exit 1; fi
        have_rgw_binaries && exit 0
        # Refresh the package lists only when they do not know the packages yet.
        if ! apt-cache show radosgw ceph-mon ceph-osd ceph-common > /dev/null 2>&1; then
            "${apt[@]}" update
        fi
        if ! "${apt[@]}" install --no-install-recommends "${RGW_PACKAGES[@]}"; then
            # Stale lists point at versions no longer on the mirror: refresh once and retry.
            "${apt[@]}" update
            "${apt[@]}" install --no-install-recommends "${RGW_PACKAGES[@]}"
        fi
    ) 9> /var/lock/ossbackup-test-s3server-install.lock >> "$logf" 2>&1 \
        || die "apt-get could not install ${RGW_PACKAGES[*]} (see $logf)"
    have_rgw_binaries || die "packages installed but ${RGW_BINARIES[*]} are still not all on PATH"
    log "packages installed in $((SECONDS - t0))s"
}

# --- Ceph RADOS Gateway -------------------------------------------------------------------------------------
ceph_cli() { bounded 20 ceph -c "$STATE/ceph.conf" --connect-timeout 10 "$@"; }

start_rgw() {
    deadline=$((SECONDS + timeout_s))
    local conf="$STATE/ceph.conf" fsid osd_uuid osd_id mon_pid osd_pid rgw_pid
    local mon_v2 mon_v1 rgw_port asok_dir asok_client
    mkdir -p "$STATE"/{mon,osd,osd-block,rgw,run,log,crash,tmp}

    fsid="$(cat /proc/sys/kernel/random/uuid)"
    osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
    mon_v2="$(pick_port)"
    mon_v1="$(pick_port)"
    rgw_port="$(pick_port)"

    # Unix socket paths are limited to 107 bytes: without room, run with no admin sockets.
    asok_dir="$STATE/run"
    asok_client="$asok_dir/\$name.\$pid.asok"
    if (( ${#asok_dir} + 40 > 107 )); then
        log "STATE_DIR path too long for admin sockets; running without them"
        asok_dir=""
        asok_client=""
    fi

    cat > "$conf" <<EOF
# Single-node test cluster made by tests/s3server/start.sh: loopback only, no authentication.
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
keyring = $STATE/keyring
run dir = $STATE/run
crash dir = $STATE/crash
tmp dir = $STATE/tmp
admin socket = ${asok_dir:+$asok_dir/\$name.asok}
pid file = $STATE/run/\$name.pid
mon cluster log file = $STATE/log/cluster.log
log to stderr = false
err to stderr = false
# One OSD: the single-replica pool settings of Ceph's own vstart.sh.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon osd full ratio = .99
mon osd nearfull ratio = .99
mon osd backfillfull ratio = .99
osd failsafe full ratio = .99
mon data avail warn = 2
mon data avail crit = 1
# Not in the guide: the monitor commits map changes every 1 s by default, and the gateway's first start
# creates its pools through ~15 such commits. 0.1 s brings a start from ~17 s to ~7 s (one monitor only).
paxos propose interval = 0.1

[client]
admin socket = $asok_client
log file = /dev/null

[mon]
mon data = $STATE/mon/\$cluster-\$id
log file = $STATE/log/\$name.log

[osd]
osd data = $STATE/osd/\$cluster-\$id
log file = $STATE/log/\$name.log
osd objectstore = bluestore
# The block file must live outside the OSD data folder (else mkfs fails: Too many levels of symbolic links).
bluestore block path = $STATE/osd-block/\$cluster-\$id.block
bluestore block create = true
bluestore block size = 10737418240
osd memory target = 1073741824
bluestore cache size = 268435456

[client.rgw.a]
admin socket = ${asok_dir:+$asok_dir/\$name.asok}
log file = $STATE/log/\$name.log
rgw data = $STATE/rgw
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
# With auth none the gateway otherwise retries the monitor login forever (-13) and never listens.
ms mon client mode = crc secure
# Deleted data is otherwise kept for 2 hours.
rgw gc obj min wait = 30
rgw gc processor period = 30
EOF

    # Monitor
    phase="creating the monitor"
    log "bootstrapping Ceph in $STATE (mon 127.0.0.1:$mon_v2/$mon_v1, gateway 127.0.0.1:$rgw_port)"
    bounded 20 monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]" \
        "$STATE/tmp/monmap" >> "$STATE/log/bootstrap.log" 2>&1
    bounded 60 ceph-mon -c "$conf" --mkfs -i a --monmap "$STATE/tmp/monmap" >> "$STATE/log/bootstrap.log" 2>&1
    spawn "$STATE/log/mon.a.out" ceph-mon -c "$conf" -i a -f
    mon_pid=$last_pid
    phase="the monitor answering (ceph mon stat)"
    until ceph_cli mon stat >> "$STATE/log/bootstrap.log" 2>&1; do
        alive "$mon_pid" || die "ceph-mon exited"
        check_deadline
        sleep 0.5
    done
    log "monitor up after $((SECONDS - started_at))s"

    # OSD
    phase="creating the OSD"
    osd_id="$(ceph_cli osd new "$osd_uuid" 2>> "$STATE/log/bootstrap.log")"
    [[ "$osd_id" =~ ^[0-9]+$ ]] || die "ceph osd new returned '$osd_id'"
    mkdir -p "$STATE/osd/ceph-$osd_id"
    bounded 60 ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >> "$STATE/log/bootstrap.log" 2>&1
    spawn "$STATE/log/osd.$osd_id.out" ceph-osd -c "$conf" -i "$osd_id" -f
    osd_pid=$last_pid
    phase="the OSD up (ceph osd stat)"
    until ceph_cli osd stat -f json 2>> "$STATE/log/bootstrap.log" | grep -q '"num_up_osds":1[,}]'; do
        alive "$osd_pid" || die "ceph-osd exited"
        alive "$mon_pid" || die "ceph-mon exited"
        check_deadline
        sleep 0.5
    done
    log "OSD up after $((SECONDS - started_at))s"

    # A second storage class, so restores can be tested writing a class other than STANDARD. It must be in
    # the zone's placement before the gateway starts: the gateway reads placement only at start-up.
    phase="adding the STANDARD_IA storage class"
    # Any command that opens the store creates the default zonegroup and zone the placement goes into.
    bounded 60 radosgw-admin -c "$conf" user list >> "$STATE/log/bootstrap.log" 2>&1
    bounded 60 radosgw-admin -c "$conf" zonegroup placement add --rgw-zonegroup default --placement-id default-placement \
        --storage-class STANDARD_IA >> "$STATE/log/bootstrap.log" 2>&1
    bounded 60 radosgw-admin -c "$conf" zone placement add --rgw-zone default --placement-id default-placement \
        --storage-class STANDARD_IA --data-pool default.rgw.buckets.data >> "$STATE/log/bootstrap.log" 2>&1

    # Gateway
    phase="the gateway listening on 127.0.0.1:$rgw_port"
    local endpoint="http://127.0.0.1:$rgw_port" code
    spawn "$STATE/log/client.rgw.a.out" radosgw -c "$conf" -n client.rgw.a -f
    rgw_pid=$last_pid
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$endpoint/" 2>/dev/null || true)" != 000 ]]; do
        alive "$rgw_pid" || die "radosgw exited"
        check_deadline
        sleep 0.5
    done
    log "gateway listening after $((SECONDS - started_at))s"

    # create_user UID DISPLAY-NAME ACCESS-KEY SECRET: retried, as the gateway may still be settling.
    create_user() {
        phase="creating the S3 user $1"
        until bounded 30 radosgw-admin -c "$conf" user create --uid="$1" --display-name="$2" \
                --access-key="$3" --secret="$4" >> "$STATE/log/bootstrap.log" 2>&1; do
            check_deadline
            sleep 1
        done
    }
    create_user ossbackup-test "OssBackup tests" "$ACCESS_KEY" "$SECRET_KEY"
    # A second account, for restores into a bucket only other credentials can reach.
    create_user ossbackup-other "OssBackup tests, other account" "$OTHER_ACCESS_KEY" "$OTHER_SECRET_KEY"

    phase="a signed ListBuckets returning 200"
    code=000
    until code="$(signed_list_status "$endpoint" "$ACCESS_KEY" "$SECRET_KEY")"; [[ "$code" == 200 ]]; do
        alive "$rgw_pid" || die "radosgw exited"
        check_deadline
        sleep 0.5
    done

    write_env rgw "$endpoint" "$ACCESS_KEY" "$SECRET_KEY"
    log "Ceph RADOS Gateway ready at $endpoint after $((SECONDS - started_at))s (pids: ${started_pids[*]})"
    echo "$endpoint"
}

# --- s3rver fallback ----------------------------------------------------------------------------------------
loud_warning() {
    cat >&2 <<'EOF'

##########################################################################################################
##  WARNING: the test S3 server is s3rver, a LENIENT FAKE, not Ceph RADOS Gateway.                       ##
##  It accepts wrong or missing signatures, ignores If-Match, normalises keys on PUT and silently         ##
##  stores aws-chunked framing as content. A test that passes against it is NOT evidence that the        ##
##  client works against real S3. Run the tests where RGW can be installed (root + apt-get).             ##
##########################################################################################################

EOF
}

start_s3rver() {
    deadline=$((SECONDS + timeout_s))
    loud_warning
    command -v node > /dev/null 2>&1 || die "node is needed for the s3rver fallback"
    local bin="$SCRIPT_DIR/node_modules/s3rver/bin/s3rver.js"
    if [[ ! -f "$bin" ]]; then
        phase="npm ci in $SCRIPT_DIR"
        command -v npm > /dev/null 2>&1 || die "npm is needed to install s3rver"
        log "installing s3rver from $SCRIPT_DIR/package-lock.json (log: $STATE/install.log)"
        (
            cd "$SCRIPT_DIR"
            # Two test runs starting at once must not run npm ci in the same folder together.
            if command -v flock > /dev/null 2>&1; then flock -w 300 9 || exit 1; fi
            [[ -f "$bin" ]] || npm ci --no-audit --no-fund --loglevel=error
        ) 9> "${TMPDIR:-/tmp}/ossbackup-test-s3server-npm.lock" >> "$STATE/install.log" 2>&1 \
            || die "npm ci failed (see $STATE/install.log)"
    fi

    phase="s3rver answering a signed ListBuckets"
    mkdir -p "$STATE/s3rver-data" "$STATE/log"
    local port endpoint code
    port="$(pick_port)"
    endpoint="http://127.0.0.1:$port"
    # ListObjectsV2 continuation tokens use DES, which Node 17+ only has with the legacy provider.
    NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--openssl-legacy-provider" \
        spawn "$STATE/log/s3rver.log" node "$bin" --address 127.0.0.1 --port "$port" \
        --directory "$STATE/s3rver-data" --no-vhost-buckets
    local pid=$last_pid
    until code="$(signed_list_status "$endpoint" S3RVER S3RVER)"; [[ "$code" == 200 ]]; do
        alive "$pid" || die "s3rver exited"
        check_deadline
        sleep 0.3
    done
    write_env s3rver "$endpoint" S3RVER S3RVER
    loud_warning
    log "s3rver (lenient fake) ready at $endpoint after $((SECONDS - started_at))s (pid: $pid)"
    echo "$endpoint"
}

# --- choose the server --------------------------------------------------------------------------------------
command -v curl > /dev/null 2>&1 || die "curl is needed"
if [[ "$requested" == s3rver ]]; then
    log "OSSBACKUP_TEST_S3_SERVER=s3rver: starting the s3rver fallback on request"
    start_s3rver
    exit 0
fi
if ! have_rgw_binaries; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get > /dev/null 2>&1; then
        install_rgw
    elif [[ "$requested" == rgw ]]; then
        die "Ceph RADOS Gateway is not installed and cannot be (needs root and apt-get)"
    else
        log "Ceph RADOS Gateway is not installed and cannot be here (needs root and apt-get): falling back to s3rver"
        start_s3rver
        exit 0
    fi
fi
start_rgw
