#!/usr/bin/env bash
# tests/chaos/run.sh: the chaos suite (issue 13 "Faults"). A flash sale
# (bench/flash/flash.c) runs against a private test stack with two daemons
# while its parts are killed with SIGKILL and started again, one after the
# other: the first daemon, Redis (no persistence: every hold and seat marker
# is lost), MariaDB, and the second daemon. Then, once the consumers caught
# up, it checks in MariaDB (bench/flash/sale.sh): no seat sold twice; seats
# sold = seats of paid orders; every paid payment has its order paid and
# tickets issued, or an automatic refund; every approved payment applied; no
# accepted order lost (every order answered 2xx exists and is final); the
# seat map rebuilt from MariaDB after Redis lost it (the sold seats read
# before the kill are sold in /screening/seats after it); every WebSocket
# client reconnected and its map equal to MariaDB.
#
#   tests/chaos/run.sh [--long] BUILD_DIR
#
# BUILD_DIR holds boxofficed, tools/paysim, tools/kbroker and
# bench/flash/flash. The short form (ctest chaos_short, label chaos) sells
# 150 seats to 60 customers arriving over 40 s; --long sells 600 seats to
# 240 customers arriving over 150 s and kills each part three times. Nothing waits a fixed time:
# every step polls its condition with a deadline. Every process killed is
# one this run started (pid files of its own stack folder, on loopback).
# The stack folder is BUILD_DIR/chaos-stack (kept after a failure).
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
REPO=$(readlink -f "$HERE/../..")
LONG=0
[ "${1:-}" != --long ] || { LONG=1; shift; }
[ $# -eq 1 ] || { sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//' >&2; exit 2; }
BUILD=$(readlink -f "$1")
BIN=$BUILD/boxofficed FLASH=$BUILD/bench/flash/flash
for f in "$BIN" "$FLASH" "$BUILD/tools/paysim" "$BUILD/tools/kbroker"; do
	[ -x "$f" ] || { echo "chaos: '$f' not built" >&2; exit 1; }
done
# shellcheck source=bench/flash/sale.sh
. "$REPO/bench/flash/sale.sh"

# Customers arrive spread over ARRIVAL seconds (about 2.5 seats each), so
# that the sale goes on while the parts die.
if [ "$LONG" = 1 ]; then
	CUSTOMERS=240 ROWS=15 COLS=40 ROUNDS=3 ARRIVAL=150 SALE_S=200
else
	CUSTOMERS=60 ROWS=10 COLS=15 ROUNDS=1 ARRIVAL=40 SALE_S=60
fi
SLOW=${BOXOFFICE_TEST_SLOWDOWN:-1}
D=$BUILD/chaos-stack
STACK=$REPO/tests/stack.sh
FAILED=0 FLASH_PID='' D2_PID=''
log() { echo "chaos: $(date -u +%T) $*" >&2; }
fail() {
	echo "chaos: FAIL: $*" >&2
	FAILED=1
}

# stop_all: flash, the second daemon (must exit 0 on SIGTERM), then the
# stack (tests/stack.sh stop: the first daemon exits 0, no sanitizer report).
stop_all() {
	local rc=0
	[ -z "$FLASH_PID" ] || kill "$FLASH_PID" 2>/dev/null || true
	FLASH_PID=
	if [ -n "$D2_PID" ]; then
		kill -TERM "$D2_PID" 2>/dev/null || true
		# Its drain takes at most 10 s; a daemon hung in its stop is killed and counted.
		if ! wait_for 30 "daemon 2 exits on SIGTERM" bash -c "! kill -0 $D2_PID 2>/dev/null || grep -q ' Z ' /proc/$D2_PID/stat 2>/dev/null"; then
			kill -KILL "$D2_PID" 2>/dev/null || true
		fi
		wait "$D2_PID" 2>/dev/null || { rc=1; echo "chaos: daemon 2 did not exit 0 on SIGTERM" >&2; }
		D2_PID=''
	fi
	if [ -f "$D/daemon2.log" ] && grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$D/daemon2.log"; then
		echo "chaos: sanitizer report in $D/daemon2.log" >&2
		rc=1
	fi
	if [ -d "$D" ]; then "$STACK" stop "$D" >"$D/stop.log" 2>&1 || { cat "$D/stop.log" >&2; rc=1; }; fi
	return $rc
}
cleanup() {
	stop_all || FAILED=1
	if [ "$FAILED" = 0 ] && [ "${KEEP:-0}" = 0 ]; then rm -rf "$D"; fi
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS WHAT COMMAND...: poll COMMAND every 0.2 s until it
# succeeds; fail the run (and return 1) after SECONDS (times BOXOFFICE_TEST_SLOWDOWN).
wait_for() {
	local secs=$(($1 * SLOW)) what=$2
	local end=$((SECONDS + secs))
	shift 2
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			fail "$what: not within $secs s"
			return 1
		fi
		sleep 0.2
	done
}

env_get() { sed -n "s/^$1=//p" "$D/env" | tail -n1; }
healthy() { # PORT
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/healthz")" = 200 ]
}
pid_in() { head -n1 "$1" 2>/dev/null; }

# --- the stack: tests/stack.sh with rate limits off, plus a second daemon ---
export BOXOFFICE_RATE_LIMITS=0 BOXOFFICE_LOG_LEVEL=warn
log "starting the stack in $D"
"$STACK" start "$D" "$BIN" >"$D.start.log" 2>&1 || { cat "$D.start.log" >&2; exit 1; }
mv "$D.start.log" "$D/start.log"
P1=$(env_get HTTP_PORT)
P2=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PAYSIM_PORT=$(env_get PAYSIM_PORT)
REDIS_PORT=$(env_get REDIS_PORT)
ADMIN_MOBILE=$(env_get ADMIN_MOBILE)
ADMIN_PASSWORD=$(sed -n 's/^ADMIN_PASSWORD=//p' "$D/secrets")
[ -n "$PAYSIM_PORT" ] || { echo "chaos: the stack has no paysim" >&2; exit 1; }

# The second daemon: the first one's settings (its environment), another
# port and node id.
start_d2() {
	(
		tr '\0' '\n' <"/proc/$(pid_in "$D/daemon.pid")/environ" | grep '^BOXOFFICE_' |
			sed 's/^/export /; s/=/="/; s/$/"/' >"$D/d2.env"
		# shellcheck disable=SC1091
		. "$D/d2.env"
		exec "$BIN" --listen "127.0.0.1:$P2" --node_id 2 </dev/null >>"$D/daemon2.log" 2>&1
	) &
	D2_PID=$!
	wait_for 120 "daemon 2 healthy" healthy "$P2"
}
start_d2

SALE_SQL=(mariadb --no-defaults --socket="$(env_get MYSQL_SOCKET)" -uroot boxoffice -N -B)
SALE_URL=http://127.0.0.1:$P1
sale_log() { log "$*"; }
sale_setup "$ROWS" "$COLS" "$CUSTOMERS"
ACC=$D/accepted SOLD=$D/sold

log "sale: $CUSTOMERS customers, $((ROWS * COLS)) seats, daemons on $P1 and $P2"
"$FLASH" -a "$P1,$P2" -y "$PAYSIM_PORT" -s "$SALE_SID" -m "$SALE_MOBILE0" -w "$SALE_PASSWORD" \
	-n "$CUSTOMERS" -t "$SALE_S" -b "$ARRIVAL" -g $((40 * SLOW)) -r 5 -o "$ACC" -S "$SOLD" \
	>"$D/flash.out" 2>"$D/flash.err" &
FLASH_PID=$!

accepted() { [ -f "$ACC" ] && grep -c '^order' "$ACC" || echo 0; }
# progress N: at least N more orders accepted than when it was called last
# (the sale goes on between two faults), or the flash sale ended.
MARK=0
progress() {
	local want=$(($1 + MARK))
	wait_for 60 "sale progress ($1 more accepted orders)" \
		bash -c "[ \$(grep -c '^order' '$ACC' 2>/dev/null || echo 0) -ge $want ] || ! kill -0 $FLASH_PID 2>/dev/null" || true
	MARK=$(accepted)
}
sold_now() { sale_q "SELECT seat FROM tickets WHERE screening_id = $SALE_SID AND live = 1 AND status = 1" | sort; }
map_sold() { # the seats /screening/seats shows sold, one per line
	curl -s --max-time 5 -X POST -H 'Content-Type: application/json' -d "{\"id\":$SALE_SID}" \
		"http://127.0.0.1:$P1/screening/seats" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
for r, (row, st) in enumerate(zip(d["layout"], d["state"])):
    n = 0
    for c, s in zip(row, st):
        if c != ".":
            n += 1
            if s == "s":
                print("%s%d" % (chr(65 + r), n))' | sort
}
# rebuilt BEFORE_FILE: every seat sold before Redis died is sold in the map again.
rebuilt() { [ -z "$(comm -23 "$1" <(map_sold 2>/dev/null))" ]; }

kill_daemon1() {
	local pid
	pid=$(pid_in "$D/daemon.pid")
	log "SIGKILL daemon 1 (pid $pid)"
	kill -KILL "$pid"
	wait_for 30 "daemon 1 gone" bash -c "! kill -0 $pid 2>/dev/null"
	"$STACK" daemon-start "$D" >>"$D/restarts.log" 2>&1 || fail "daemon 1 did not start again"
	wait_for 120 "daemon 1 healthy again" healthy "$P1"
}
# sold_some N: at least N seats sold in MariaDB (so that the rebuild has
# something to rebuild), or the flash sale ended.
sold_some() {
	wait_for 60 "$1 seats sold" bash -c "[ \$($(printf '%q ' "${SALE_SQL[@]}") -e 'SELECT COUNT(*) FROM tickets WHERE screening_id = $SALE_SID AND live = 1 AND status = 1') -ge $1 ] || ! kill -0 $FLASH_PID 2>/dev/null" || true
}
kill_redis() {
	sold_some $((5 * round))
	sold_now >"$D/sold-before-redis"
	log "SIGKILL redis (pid $(pid_in "$D/redis/redis.pid")), $(wc -l <"$D/sold-before-redis") seats sold"
	kill -KILL "$(pid_in "$D/redis/redis.pid")"
	wait_for 30 "redis gone" bash -c "! redis-cli -p $REDIS_PORT ping >/dev/null 2>&1"
	"$STACK" redis-start "$D" >>"$D/restarts.log" 2>&1 || fail "redis did not start again"
	wait_for 60 "daemons healthy after redis" bash -c "$(declare -f healthy); healthy $P1 && healthy $P2"
	wait_for 60 "seat map rebuilt from MariaDB after redis lost it" rebuilt "$D/sold-before-redis" &&
		log "seat map rebuilt: the $(wc -l <"$D/sold-before-redis") seats sold before are sold"
}
kill_mariadb() {
	log "SIGKILL mariadb (pid $(pid_in "$D/mysql/mysqld.pid"))"
	kill -KILL "$(pid_in "$D/mysql/mysqld.pid")"
	wait_for 30 "mariadb gone" bash -c "! kill -0 $(pid_in "$D/mysql/mysqld.pid") 2>/dev/null"
	"$STACK" mysql-start "$D" >>"$D/restarts.log" 2>&1 || fail "mariadb did not start again"
	wait_for 120 "daemons healthy after mariadb" bash -c "$(declare -f healthy); healthy $P1 && healthy $P2"
}
kill_daemon2() {
	log "SIGKILL daemon 2 (pid $D2_PID)"
	kill -KILL "$D2_PID"
	wait "$D2_PID" 2>/dev/null || true
	start_d2
}

# Logins and the first holds first, then the faults, the sale going on between them.
wait_for 120 "the sale opens (first order accepted)" bash -c "grep -q '^order' '$ACC' 2>/dev/null || ! kill -0 $FLASH_PID"
for round in $(seq 1 "$ROUNDS"); do
	log "round $round of $ROUNDS"
	progress 2
	kill_daemon1
	progress 2
	kill_redis
	progress 2
	kill_mariadb
	progress 2
	kill_daemon2
done
log "faults done; waiting for the sale to end"
wait "$FLASH_PID" || fail "flash exited $?: $(tail -n 5 "$D/flash.err")"
FLASH_PID=
RESULT=$(sed -n 's/^RESULT //p' "$D/flash.out")
log "$RESULT"
grep '^ERROR' "$D/flash.out" >&2 || true
[[ " $RESULT " == *" ws_maps_agree=1 "* ]] || fail "the WebSocket clients' maps do not agree at the end"
[[ " $RESULT " == *" ws_live=$CUSTOMERS "* ]] || fail "not every WebSocket client reconnected"
[[ " $RESULT " != *" ws_reconnects=0 "* ]] || fail "no WebSocket client reconnected: did the daemons die?"
[[ " $RESULT " != *" payments=0 "* ]] || fail "nothing was sold"

sale_settle "$ACC" $((60 * SLOW)) || fail "the consumers did not catch up"
if sale_check "$ACC" "$SOLD" >"$D/checks"; then :; else fail "an invariant does not hold"; fi
cat "$D/checks" >&2
log "sold $SALE_SOLD of $((ROWS * COLS)) seats; $(grep -c '^order' "$ACC") orders accepted, $(grep -c '^pay' "$ACC") payments approved"
stop_all || fail "the daemons did not stop cleanly"
[ "$FAILED" = 0 ] || { log "FAILED; the stack folder is kept: $D"; exit 1; }
log "passed"
