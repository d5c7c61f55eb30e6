#!/usr/bin/env bash
# bench/holds.sh: seat holds through the API on one hot screening, side by
# side with the same Lua script driven directly by redis-benchmark EVALSHA.
#
#   bench/holds.sh [--duration S] [--warmup S] [--rounds N] [--connections N]
#                  [--threads N] [--build DIR] [--out FILE] [--keep] [--perf FILE]
#
# Rows, interleaved over --rounds (default 3), each --duration (10 s):
#   1. api:   wrk (bench/holds.lua, -t2 -c50) against boxofficed: 2-seat
#             /seat/hold on random adjacent seats of one 26x60 screening,
#             each hold released by the next request of its thread, so the
#             screening never fills. holds/s counts the holds made.
#   2. redis: redis-benchmark -c 50 -P 1 EVALSHA of the daemon's own hold
#             script (printed by bench/holdsrc) with 2 random seats of 100000
#             per call, the method of shared/research/limits.md row 1a.
# The report has each row's median and range, p50/p99, and api/redis.
#
# --perf FILE: after the rounds, one more api run under a system-wide
# `perf record -a -g` (root); FILE gets the CPU share per process and the
# daemon's hottest symbols.
#
# Builds a Release boxofficed, holdsrc in --build DIR (default build-bench/),
# starts a private MariaDB and Redis (packaging/stack.sh, free ports), one
# daemon with rate limits off, and stops everything on exit.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

DURATION=10 WARMUP=2 CONNS=50 THREADS=2 ROUNDS=3 PERF_OUT=
bench_args "--rounds:ROUNDS --perf:PERF_OUT" "$@"
bench_check_numbers DURATION WARMUP CONNS THREADS ROUNDS
bench_need wrk curl mariadb redis-server redis-benchmark redis-cli python3 cmake

bench_work /tmp/bench-holds.XXXXXX

bench_build_daemon
if [ -z "${BOXOFFICED:-}" ]; then
	cmake --build "$BUILD_DIR" -j"$(nproc)" --target holdsrc >>"$WORK/build.log" 2>&1 ||
		die "cannot build holdsrc"
fi
HOLDSRC=$(dirname "$BIN")/bench/holdsrc
[ -x "$HOLDSRC" ] || die "holdsrc not found at $HOLDSRC"
bench_stack_start
bench_stack_env
PORT=$(free_ports 1)
bench_daemon_start boxofficed "$WORK/daemon.log" "$PORT"
URL=http://127.0.0.1:$PORT

api() { curl -s -X POST -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "$2" "$URL$1"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['data']['$1'])"; }

TOKEN=$(api /admin/login "{\"mobile\":\"$ADMIN_MOBILE\",\"password\":\"$ADMIN_PASSWORD\"}" | json accessToken)
ROWS=26 COLS=60
ROW=$(printf 'S%.0s' $(seq 1 $COLS))
LAYOUT=$(python3 -c "import json; print(json.dumps(['$ROW'] * $ROWS))")
HALL=$(api /hall/create "{\"name\":\"bench-hall\",\"layout\":$LAYOUT}" | json id)
FILM=$(api /film/create '{"name":"bench","desc":"","stock":0,"amount":4500,"screenwriter":"","director":"","length":100,"isSelectSeat":1}' | json id)
SID=$(api /screening/create "{\"filmId\":$FILM,\"hallId\":$HALL,\"startAt\":$(($(date +%s) + 86400))}" | json id)
say "screening $SID (hall $HALL, ${ROWS}x$COLS)"

RCLI=(redis-cli -p "$REDIS_PORT")
SHA=$("${RCLI[@]}" SCRIPT LOAD "$("$HOLDSRC")")
# The reference's screening: not the API's (its seats stay apart), but keys
# of the daemon's shapes (bo:{sN}:...), printed by holdsrc from the daemon's
# own formats: seats, version, fence, uheld, hold record, holdexp, ready,
# generation.
RSID=9
mapfile -t RKEYS < <("$HOLDSRC" --keys "$RSID")
[ "${#RKEYS[@]}" -eq 8 ] || die "holdsrc --keys printed ${#RKEYS[@]} keys, not 8"
"${RCLI[@]}" SET "${RKEYS[6]}" 1 >/dev/null

run_api() {
	SID=$SID ROWS=$ROWS COLS=$COLS TOKEN=$TOKEN wrk -t"$THREADS" -c"$CONNS" -d"$1" \
		-s "$HERE/holds.lua" "$URL" | sed -n 's/^RESULT //p'
}

run_redis() {
	# KEYS: RKEYS; ARGV: holdId, uid, exp_ms, cap, sid, free states, record
	# ttl, channel, generation (0: unchecked), 2 seats.
	local gen
	gen=$("${RCLI[@]}" GET "${RKEYS[7]}")
	"${RCLI[@]}" DEL "${RKEYS[0]}" "${RKEYS[5]}" >/dev/null
	timeout $((DURATION + 30)) redis-benchmark -p "$REDIS_PORT" --csv -c "$CONNS" -P 1 \
		-n "$1" -r 100000 EVALSHA "$SHA" 8 "${RKEYS[@]}" \
		__rand_int__ 1 9999999999999 0 "$RSID" ff 86400000 bench: \
		"${gen:-0}" 'S__rand_int__' 'T__rand_int__' |
		tail -n1
}

bench_report_facts "$REPO/server" "$REPO/bench"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warm-up"
run_api "${WARMUP}s" >/dev/null
# redis-benchmark runs by count: size it from a short probe to last about DURATION.
probe=$(run_redis 50000 | awk -F'"' '{print $4}')
NREQ=$(awk -v r="$probe" -v d="$DURATION" 'BEGIN { printf "%d", r * d }')
declare -a API_HPS API_P50 API_P99 RED_HPS RED_P50 RED_P99
for r in $(seq 1 "$ROUNDS"); do
	say "round $r/$ROUNDS: api"
	line=$(run_api "${DURATION}s")
	d=$(field "$line" duration_us)
	API_HPS+=("$(awk -v h="$(field "$line" holds)" -v d="$d" 'BEGIN { printf "%.0f", h / (d / 1e6) }')")
	API_P50+=("$(field "$line" p50_us)")
	API_P99+=("$(field "$line" p99_us)")
	API_LINE[$r]=$line
	say "round $r/$ROUNDS: redis-benchmark EVALSHA"
	csv=$(run_redis "$NREQ")
	RED_HPS+=("$(awk -F'"' '{printf "%.0f", $4}' <<<"$csv")")
	RED_P50+=("$(awk -F'"' '{print $10}' <<<"$csv")")
	RED_P99+=("$(awk -F'"' '{print $14}' <<<"$csv")")
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$PERF_OUT" ]; then
	bench_perf "$PERF_OUT" "bench/holds.sh's api row" "${PIDS[0]}" run_api "${DURATION}s"
fi

AM=$(median "${API_HPS[@]}")
RM=$(median "${RED_HPS[@]}")
OUT=${OUT:-$REPO/bench/results/holds-$DATE.md}
{
	echo "# Seat holds: API against the hold script alone ($DATE)"
	echo
	echo "Command: \`bench/holds.sh --duration $DURATION --rounds $ROUNDS --connections $CONNS --threads $THREADS\`"
	echo "Commit $COMMIT; $CPU, $(nproc) cores, $MEM; load $LOAD_BEFORE before, $LOAD_AFTER after."
	echo
	echo "| row | holds/s median [range] | p50 | p99 |"
	echo "|---|---|---|---|"
	echo "| api: wrk -t$THREADS -c$CONNS, 2-seat hold + release | $AM [$(range "${API_HPS[@]}")] | $(ms "$(median "${API_P50[@]}")") ms | $(ms "$(median "${API_P99[@]}")") ms |"
	echo "| redis: redis-benchmark -c$CONNS -P1 EVALSHA, same script | $RM [$(range "${RED_HPS[@]}")] | $(median "${RED_P50[@]}") ms | $(median "${RED_P99[@]}") ms |"
	echo
	echo "api / redis = $(awk -v a="$AM" -v b="$RM" 'BEGIN { printf "%.1f %%", 100 * a / b }') (goal: 40 %)."
	echo
	echo "The api latency is over every request (holds and the releases between them,"
	echo "each one script); the redis row makes holds only. Raw api lines:"
	echo
	for r in $(seq 1 "$ROUNDS"); do echo "    ${API_LINE[$r]}"; done
} >"$OUT"
cat "$OUT"
