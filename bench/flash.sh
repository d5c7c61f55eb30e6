#!/usr/bin/env bash
# bench/flash.sh: a flash sale (issue 13): N customers (default 2000) for one
# screening of ROWS x COLS seats (default 15 x 20 = 300), every one of them
# subscribed to the seat map over WebSocket, holding, ordering and paying
# through paysim, driven by bench/flash/flash.c (one process, epoll).
#
#   bench/flash.sh [--customers N] [--rows R] [--cols C] [--sale-seconds S]
#                  [--daemons 1|2] [--redis-cluster 0|1] [--build DIR]
#                  [--out FILE] [--keep]
#
# Builds a Release (boxofficed, kbroker, paysim, flash) in BUILD_DIR
# (build-bench/), starts a private MariaDB and Redis (bench/lib.sh),
# kbroker and paysim (packaging/stack.sh) and one boxofficed (or two, on
# the same stack, customers split between them; --redis-cluster 1: Redis is
# the stack's Redis Cluster of three masters, packaging/stack.sh
# REDIS_CLUSTER=1, and the daemons get the three as seeds), makes the screening and
# the customer accounts (bench/flash/sale.sh), runs the sale, waits until
# the consumers have applied every accepted order and approved payment,
# checks the invariants in MariaDB (no seat sold twice, seats sold <= seats,
# sold = seats of paid orders, every paid payment has a paid order with
# issued tickets or a refund, no accepted order lost, a client's WebSocket
# map = MariaDB) and writes the report with this command to
# bench/results/flash-<date>.md (flash-cluster-<date>.md with
# --redis-cluster 1; or --out FILE). Exit 1 when a check fails.
#
# Environment: FLASH_REDIS_URL (a Redis the daemons use instead of the
# private one, e.g. a cluster), BOXOFFICED (a daemon binary instead of the
# build). Logins are not what a flash sale measures: the daemons hash with
# Argon2id at 4 MiB, 1 pass, and customers log in (RAMP_MS apart, default 2)
# before the sale opens; their latency is reported as its own step.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=bench/flash/sale.sh
. "$HERE/flash/sale.sh"

CUSTOMERS=2000 ROWS=15 COLS=20 SALE_SECONDS=120 DAEMONS=1 RCLUSTER=0 RAMP_MS=${RAMP_MS:-2}
bench_args "--customers:CUSTOMERS --rows:ROWS --cols:COLS --sale-seconds:SALE_SECONDS --daemons:DAEMONS --redis-cluster:RCLUSTER" "$@"
case $RCLUSTER in 0 | 1) ;; *) die "--redis-cluster must be 0 or 1, not '$RCLUSTER'" ;; esac
[ "$RCLUSTER" = 0 ] || [ -z "${FLASH_REDIS_URL:-}" ] || die "--redis-cluster 1 and FLASH_REDIS_URL exclude each other"
bench_need curl mariadb redis-server python3 cmake
ulimit -n $((CUSTOMERS * 4 + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
sale_log() { say "$*"; }

bench_work /tmp/bench-flash.XXXXXX
bench_build_daemon
if [ -z "${BOXOFFICED:-}" ]; then
	cmake --build "$BUILD_DIR" -j"$(nproc)" --target kbroker paysim flash >>"$WORK/build.log" 2>&1 ||
		{ tail -n 30 "$WORK/build.log" >&2; die "cannot build kbroker, paysim and flash"; }
fi
TOOLS=$(dirname "$BIN")
FLASH=$TOOLS/bench/flash/flash
[ -x "$FLASH" ] || die "flash not built in $TOOLS/bench/flash"
# The stack's Redis is a three-master cluster (packaging/stack-scale.sh).
[ "$RCLUSTER" = 0 ] || export REDIS_CLUSTER=1
bench_stack_start
bench_stack_env
REDIS_DESC="one redis-server"
if [ "$RCLUSTER" = 1 ]; then
	FLASH_REDIS_URL="redis://$(get REDIS_PORTS | sed 's/\([0-9]*\)/127.0.0.1:\1/g')"
	case $FLASH_REDIS_URL in *,*,*) ;; *) die "no cluster ports in $STACK_DIR/env" ;; esac
	REDIS_DESC="a Redis Cluster of three masters on loopback ($FLASH_REDIS_URL)"
elif [ -n "${FLASH_REDIS_URL:-}" ]; then
	REDIS_DESC="the Redis at FLASH_REDIS_URL ($FLASH_REDIS_URL)"
fi

read -r -a PORTS <<<"$(free_ports "$DAEMONS")"
export HTTP_PORT=${PORTS[0]} BOXOFFICED=$BIN
"$STACK_SH" kbroker-start "$STACK_DIR" >&2
"$STACK_SH" paysim-start "$STACK_DIR" >&2
PAYSIM_PORT=$(get PAYSIM_PORT)
[ -n "$PAYSIM_PORT" ] && [ -s "$STACK_DIR/kbroker.addr" ] || die "paysim or kbroker did not start"
DAEMON_OPTS=(--kafka_broker_file "$STACK_DIR/kbroker.addr" --paysim_url "http://127.0.0.1:$PAYSIM_PORT"
	--argon2_memory_kib 4096 --argon2_iterations 1)
[ -z "${FLASH_REDIS_URL:-}" ] || DAEMON_OPTS+=(--redis_url "$FLASH_REDIS_URL")
for i in "${!PORTS[@]}"; do
	bench_daemon_start "boxofficed $i" "$WORK/daemon-$i.log" "${PORTS[$i]}" --node_id $((i + 1)) "${DAEMON_OPTS[@]}"
done

SALE_SQL=(mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice -N -B)
SALE_URL=http://127.0.0.1:${PORTS[0]}
sale_setup "$ROWS" "$COLS" "$CUSTOMERS"

say "sale: $CUSTOMERS customers, $((ROWS * COLS)) seats, $DAEMONS daemon(s), $REDIS_DESC"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
"$FLASH" -a "$(IFS=,; echo "${PORTS[*]}")" -y "$PAYSIM_PORT" -s "$SALE_SID" -m "$SALE_MOBILE0" \
	-w "$SALE_PASSWORD" -n "$CUSTOMERS" -t "$SALE_SECONDS" -r "$RAMP_MS" \
	-o "$WORK/accepted" -S "$WORK/sold" >"$WORK/flash.out" 2>"$WORK/flash.err" ||
	{ cat "$WORK/flash.err" >&2; die "flash failed"; }
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
RESULT=$(sed -n 's/^RESULT //p' "$WORK/flash.out")
say "$RESULT"
sale_settle "$WORK/accepted" 60 || true
sale_check "$WORK/accepted" "$WORK/sold" >"$WORK/checks" && CHECK_RC=0 || CHECK_RC=1
CHECKS=$(cat "$WORK/checks")
echo "$CHECKS" >&2

# On a cluster: how the sale's keys and commands spread over the masters.
REDIS_SPREAD=
if [ "$RCLUSTER" = 1 ]; then
	for p in $(get REDIS_PORTS | tr , ' '); do
		REDIS_SPREAD+="${REDIS_SPREAD:+; }127.0.0.1:$p $(redis-cli -p "$p" dbsize) keys, $(redis-cli -p "$p" info stats | tr -d '\r' | sed -n 's/^total_commands_processed://p') commands"
	done
	say "redis cluster: $REDIS_SPREAD"
fi

bench_report_facts "$REPO/server" "$REPO/bench/flash" "$REPO/bench/flash.sh"
KIND=flash
[ "$RCLUSTER" = 0 ] || KIND=flash-cluster
OUT=${OUT:-$REPO/bench/results/$KIND-$DATE.md}
step() { # NAME: "p50 / p99 (n)" of a STEP line
	awk -v s="$1" '$1 == "STEP" && $2 == s { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s / %s ms (n %s)", v["p50_ms"], v["p99_ms"], v["n"] }' "$WORK/flash.out"
}
{
	echo "# Flash sale ($DATE)"
	echo
	echo "Command: \`$CMDLINE\`"
	echo "Commit $COMMIT; $CPU, $(nproc) cores, $MEM; load $LOAD_BEFORE before, $LOAD_AFTER after."
	echo "$CUSTOMERS customers, one screening of $ROWS x $COLS = $((ROWS * COLS)) seats, $DAEMONS boxofficed (Release, kbroker, paysim, rate limits off) on $REDIS_DESC, every customer subscribed to the seat map over WebSocket; each wants 1-4 seats (customer i: 1 + i mod 4)."
	echo
	echo "| figure | value |"
	echo "|---|---|"
	echo "| seats sold (MariaDB) | $SALE_SOLD of $((ROWS * COLS)) |"
	echo "| seats paid (client view) | $(field "$RESULT" paid_seats) in $(field "$RESULT" payments) payments |"
	echo "| time to sell out (sale open to the last seat paid, client view) | $(field "$RESULT" sold_out_s) s |"
	echo "| requests during the run | $(field "$RESULT" requests) |"
	echo "| WebSocket lag from a /seat/hold sent to every other client showing the seat held, p50 / p99 / max | $(field "$RESULT" ws_lag_p50_ms) / $(field "$RESULT" ws_lag_p99_ms) / $(field "$RESULT" ws_lag_max_ms) ms ($(field "$RESULT" ws_deliveries) deliveries) |"
	echo "| WebSocket spread of a seat change over the clients (after the first saw it), p50 / p99 | $(step ws_fanout) |"
	echo "| WebSocket clients live at the end, maps agreeing | $(field "$RESULT" ws_live), $(field "$RESULT" ws_maps_agree) |"
	[ -z "$REDIS_SPREAD" ] || echo "| Redis Cluster masters after the sale (keys, commands processed) | $REDIS_SPREAD |"
	for s in login hold order confirm pay approve paid purchase; do
		echo "| step $s p50 / p99 | $(step $s) |"
	done
	echo
	echo "Steps: login before the sale opens; hold = /seat/hold; order = /order/create (answered pending);"
	echo "confirm = pending to unpaid (order.update or /order/detail); pay = /pay/create; approve = paysim"
	echo "/api/approve; paid = approve answered to the order paid; purchase = first hold to paid."
	echo
	echo "Errors by type (step:status:slug; a 409 on a hold is a customer losing the race):"
	echo
	echo '```'
	grep '^ERROR' "$WORK/flash.out" || echo "(none)"
	echo '```'
	echo
	echo "Invariants (MariaDB after the consumers caught up):"
	echo
	echo '```'
	echo "$CHECKS"
	echo '```'
	echo
	echo "Raw output of flash:"
	echo
	echo '```'
	cat "$WORK/flash.out"
	echo '```'
} >"$OUT"
ROW="| flash sale (\`bench/flash.sh\`) | $CUSTOMERS customers, $((ROWS * COLS)) seats: sold out in $(field "$RESULT" sold_out_s) s, $SALE_SOLD sold = paid, hold sent to all maps p50/p99 $(field "$RESULT" ws_lag_p50_ms)/$(field "$RESULT" ws_lag_p99_ms) ms, hold p99 $(awk '$1 == "STEP" && $2 == "hold" { sub("p99_ms=", "", $5); print $5 }' "$WORK/flash.out") ms | [${OUT##*/}](results/${OUT##*/}) |"
say "report in $OUT; RESULTS.md row:"
echo "$ROW"
exit "$CHECK_RC"
