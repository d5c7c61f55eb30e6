#!/usr/bin/env bash
# bench/orders.sh: orders confirmed end to end (hold -> /order/create ->
# Kafka -> order consumer -> MySQL commit) against the same transaction
# shape run directly on MariaDB.
#
#   bench/orders.sh [--duration S] [--rounds N] [--connections N] [--threads N]
#                   [--build DIR] [--out FILE] [--keep] [--perf FILE]
#
# Rows, interleaved over --rounds (default 3), each --duration (10 s):
#   e2e-kbroker  wrk (bench/orders.lua, -t2 -c50): each connection alternates
#                a 2-seat hold and the order of it, on screenings of its own;
#                the embedded broker in its own process (kbroker, the default
#                of the stack). orders/s = orders the consumer committed from
#                the first request until it caught up, over that time.
#   e2e-inproc   the same with the broker inside the daemon (what kbroker
#                costs per order is the difference).
#   direct 1x1, 4x1, 1x100 bulk, 1x100 consumer: bench/orderbench on the
#                same database: 1 connection 1 order per transaction; 4
#                connections; 100 orders per transaction as 3 array-bound
#                executes (the ceiling of research/limits.md row 2d); and 100
#                per transaction in the consumer's own statements (a
#                savepoint, the event, a share lock, the order, the tickets).
# The report has each row's median and range and e2e / ceiling.
#
# --perf FILE: after the rounds, one more e2e-kbroker run under a
# system-wide `perf record -a -g` (root); FILE gets the CPU share per
# process (daemon, kbroker, MariaDB, Redis, wrk) and the hottest symbols.
#
# Orders stay unpaid (counter payment is branch pay's): the consumer's
# transaction is the same, the payment's is not measured here.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

DURATION=10 WARMUP=0 CONNS=50 THREADS=2 ROUNDS=3 PERF_OUT=
bench_args "--rounds:ROUNDS --perf:PERF_OUT" "$@"
bench_check_numbers DURATION CONNS THREADS ROUNDS
bench_need wrk curl mariadb redis-server python3 cmake

bench_work /tmp/bench-orders.XXXXXX
KB_PID=
cleanup() {
	bench_stop_pids
	[ -z "$KB_PID" ] || kill "$KB_PID" 2>/dev/null || true
	bench_cleanup
}
trap cleanup EXIT

bench_build_daemon
if [ -z "${BOXOFFICED:-}" ]; then
	cmake --build "$BUILD_DIR" -j"$(nproc)" --target kbroker orderbench >>"$WORK/build.log" 2>&1 ||
		die "cannot build kbroker and orderbench"
fi
TOOLS=$(dirname "$BIN")
[ -x "$TOOLS/tools/kbroker" ] && [ -x "$TOOLS/bench/orderbench" ] || die "kbroker/orderbench not built in $TOOLS"
bench_stack_start
bench_stack_env
SQL=(mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice -N -B)

"$TOOLS/tools/kbroker" --bootstrap-file "$WORK/kbroker.addr" >"$WORK/kbroker.log" 2>&1 &
KB_PID=$!
for _ in $(seq 100); do [ -s "$WORK/kbroker.addr" ] && break; sleep 0.1; done

PORT=$(free_ports 1)
URL=http://127.0.0.1:$PORT
DAEMON_PID=
start_daemon() { # MODE: kbroker | inproc
	if [ "$1" = kbroker ]; then
		BOXOFFICE_KAFKA_BROKER_FILE=$WORK/kbroker.addr bench_daemon_start boxofficed "$WORK/daemon.log" "$PORT"
	else
		BOXOFFICE_KAFKA_BROKER_FILE= bench_daemon_start boxofficed "$WORK/daemon.log" "$PORT"
	fi
	DAEMON_PID=${PIDS[-1]}
}
stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	PIDS=()
}

api() { curl -s -X POST -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "$2" "$URL$1"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['data']['$1'])"; }

start_daemon kbroker
TOKEN=$(api /admin/login "{\"mobile\":\"$ADMIN_MOBILE\",\"password\":\"$ADMIN_PASSWORD\"}" | json accessToken)
ROW=$(printf 'S%.0s' $(seq 1 60))
LAYOUT=$(python3 -c "import json; print(json.dumps(['$ROW'] * 26))")
HALL=$(api /hall/create "{\"name\":\"bench-hall\",\"layout\":$LAYOUT}" | json id)
FILM=$(api /film/create '{"name":"bench","desc":"","stock":0,"amount":4500,"screenwriter":"","director":"","length":100,"isSelectSeat":1}' | json id)
# Screenings made with SQL (no overlap rule here: only their seats matter).
NSCR=$(((ROUNDS * 2 + 1) * 40)) # a row of 40 per run, and one for --perf
python3 - "$FILM" "$HALL" "$NSCR" <<'PY' | "${SQL[@]}"
import sys, time
film, hall, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
base = 7 * 10**15
t = int(time.time()) + 86400
rows = ",".join(f"({base + i},{film},{hall},{t},{t + 6000},'{{}}','{{}}',0,1560,0,0)" for i in range(n))
print("INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, discounts, status, seats_total, create_time, update_time) VALUES " + rows + ";")
PY
NEXT_SCR=0

orders_count() { "${SQL[@]}" -e "SELECT COUNT(*) FROM orders WHERE fid = $FILM"; }
now() { date +%s.%N; }

run_e2e() { # FIRST: screenings FIRST.. (its own 40); prints orders/s committed, then the RESULT line
	local sids first before t0 line accepted last n stable t1
	first=$((7 * 10 ** 15 + $1))
	sids=$(seq -s, "$first" $((first + 39)))
	before=$(orders_count)
	t0=$(now)
	line=$(SIDS=$sids THREADS=$THREADS TOKEN=$TOKEN wrk -t"$THREADS" -c"$CONNS" \
		-d"${DURATION}s" -s "$HERE/orders.lua" "$URL" | sed -n 's/^RESULT //p')
	accepted=$(field "$line" orders)
	# Until the consumer has committed every accepted order (or stops moving for 5 s).
	last=-1 stable=0
	while :; do
		n=$(($(orders_count) - before))
		[ "$n" -ge "$accepted" ] && break
		if [ "$n" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
		[ "$stable" -lt 50 ] || break
		last=$n
		sleep 0.1
	done
	t1=$(now)
	awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }'
	echo "$line committed=$n"
}

run_direct() { # ARGS...: prints orders/s, then the RESULT line
	local line
	line=$("$TOOLS/bench/orderbench" -S "$MYSQL_SOCKET" -u root -D boxoffice -d "$DURATION" "$@" |
		sed -n 's/^RESULT //p')
	field "$line" orders_per_s
	echo "$line"
}

bench_report_facts "$REPO/server" "$REPO/bench"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ROWS_NAMES=(e2e-kbroker e2e-inproc direct-1x1 direct-4x1 direct-1x100-bulk direct-1x100-consumer)
declare -A VAL LINES
for r in $(seq 1 "$ROUNDS"); do
	for row in "${ROWS_NAMES[@]}"; do
		say "round $r/$ROUNDS: $row"
		case $row in
		e2e-kbroker)
			out=$(run_e2e "$NEXT_SCR")
			NEXT_SCR=$((NEXT_SCR + 40))
			;;
		e2e-inproc)
			stop_daemon
			start_daemon inproc
			out=$(run_e2e "$NEXT_SCR")
			NEXT_SCR=$((NEXT_SCR + 40))
			stop_daemon
			start_daemon kbroker
			;;
		direct-1x1) out=$(run_direct -t 1 -b 1) ;;
		direct-4x1) out=$(run_direct -t 4 -b 1) ;;
		direct-1x100-bulk) out=$(run_direct -t 1 -b 100 -B) ;;
		direct-1x100-consumer) out=$(run_direct -t 1 -b 100 -c) ;;
		esac
		VAL[$row]="${VAL[$row]:-} $(head -n1 <<<"$out")"
		LINES[$row]="${LINES[$row]:-}    $row: $(tail -n1 <<<"$out")"$'\n'
	done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$PERF_OUT" ]; then
	bench_perf "$PERF_OUT" "bench/orders.sh's e2e-kbroker row" "$DAEMON_PID" run_e2e "$NEXT_SCR"
fi

# shellcheck disable=SC2086 # word splitting of the value lists is the point
{
	E2E=$(median ${VAL[e2e-kbroker]})
	CEIL=$(median ${VAL[direct-1x100-bulk]})
	OUT=${OUT:-$REPO/bench/results/orders-$DATE.md}
	{
		echo "# Orders end to end against MariaDB directly ($DATE)"
		echo
		echo "Command: \`bench/orders.sh --duration $DURATION --rounds $ROUNDS --connections $CONNS --threads $THREADS\`"
		echo "Commit $COMMIT; $CPU, $(nproc) cores, $MEM; load $LOAD_BEFORE before, $LOAD_AFTER after."
		echo
		echo "| row | orders/s median [range] |"
		echo "|---|---|"
		for row in "${ROWS_NAMES[@]}"; do
			echo "| $row | $(median ${VAL[$row]}) [$(range ${VAL[$row]})] |"
		done
		echo
		echo "e2e-kbroker / direct-1x100-bulk = $(awk -v a="$E2E" -v b="$CEIL" 'BEGIN { printf "%.1f %%", 100 * a / b }') (goal: 25 %)."
		echo
		echo "Raw lines:"
		echo
		for row in "${ROWS_NAMES[@]}"; do printf '%s' "${LINES[$row]}"; done
	} >"$OUT"
	cat "$OUT"
}
