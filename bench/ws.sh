#!/usr/bin/env bash
# bench/ws.sh: WebSocket fan-out of the seat hub against a Node `ws` server,
# side by side in one run (issue 8; method of shared/research/limits.md 4/5).
#
#   bench/ws.sh [--clients N] [--rate R] [--duration S] [--rounds K]
#               [--build DIR] [--out FILE] [--perf FILE] [--keep]
#
# N subscribers (default 5000) on one screening of the demo data; R seat
# changes a second (default 100) for S seconds (default 10). Each round runs,
# interleaved: a fresh Release boxofficed (the hub; changes are made as the
# hold script makes them: INCR the version and PUBLISH on Redis), then a
# fresh `node bench/peers/wsfan.js` (the publisher sends it the delta the hub
# would send for each change; it sends the same bytes to every subscriber).
# bench/wsload.c (C, epoll) is every client: deliveries are seat changes
# received by a subscriber (a merged delta counts each change it carries),
# latency is receive time minus the time the change was made, and the
# server's RSS before and 1 s after its N idle subscribers gives the bytes
# per idle client. Medians over the rounds; every round's line is kept.
# Writes the report with this command to bench/results/ws-<date>.txt (or
# --out FILE). Needs node (and `npm ci` in bench/peers, done here when
# node_modules is missing), gcc, MariaDB, Redis; ulimit -n is raised.
# The load average before and after goes into the report.
#
# --perf FILE: the last hub round runs under `perf record -g` attached to
# the daemon (connecting the clients included); FILE gets the hottest
# symbols and the CPU by thread. DAEMON_ARGS adds settings to the daemon
# (e.g. DAEMON_ARGS="--loops 1").
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

CLIENTS=5000 RATE=100 DURATION=10 ROUNDS=3 PERF_OUT=
bench_args "--clients:CLIENTS --rate:RATE --rounds:ROUNDS --perf:PERF_OUT" "$@"
[ -z "$PERF_OUT" ] || command -v perf >/dev/null || die "--perf needs perf (apt-get install linux-perf)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
bench_need node npm gcc curl mariadb redis-server cmake python3
ulimit -n $((CLIENTS * 2 + 1000))

bench_work /tmp/boxoffice-wsbench.XXXXXX

bench_build_daemon
bench_stack_start
bench_stack_env
bench_load_demo
SID=$(mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice -N -B \
	-e "SELECT id FROM screenings WHERE start_at > UNIX_TIMESTAMP() ORDER BY id LIMIT 1")
[ -n "$SID" ] || die "no future screening in the demo data"
REDIS_PID=$(head -n1 "$STACK_DIR/redis/redis.pid" 2>/dev/null || true)

gcc -O2 -Wall -o "$WORK/wsload" "$HERE/wsload.c" || die "cannot build bench/wsload.c"
if [ ! -d "$HERE/peers/node_modules/ws" ]; then
	(cd "$HERE/peers" && npm ci --no-audit --no-fund >&2) || die "npm ci in bench/peers failed"
fi
NODE_V=$(node --version)
WS_V=$(node -p "require('$HERE/peers/node_modules/ws/package.json').version")

LINES=()
for r in $(seq 1 "$ROUNDS"); do
	read -r P_HUB P_NODE < <(free_ports 2)
	say "round $r: hub"
	PIDS=()
	# shellcheck disable=SC2086 # DAEMON_ARGS is a list of settings
	bench_daemon_start boxofficed "$WORK/daemon-$r.log" "$P_HUB" --node_id 62 ${DAEMON_ARGS:-}
	PERF_PID=
	if [ -n "$PERF_OUT" ] && [ "$r" = "$ROUNDS" ]; then
		perf record -g -F 499 -p "${PIDS[-1]}" -o "$WORK/perf.data" >"$WORK/perf.log" 2>&1 &
		PERF_PID=$!
	fi
	L=$("$WORK/wsload" -m hub -p "$P_HUB" -n "$CLIENTS" -r "$RATE" -d "$DURATION" \
		-P "${PIDS[-1]}" -R "$REDIS_PORT" -s "$SID")
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null || true
		wait "$PERF_PID" || true
		mkdir -p "$(dirname "$PERF_OUT")"
		{
			echo "# perf record -g -F 499 of the hub, bench/ws.sh round $r ($(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
			echo "# $L"
			echo "## CPU by thread"
			perf report -i "$WORK/perf.data" --sort comm --stdio --no-children -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -20 || true
			echo "## hottest symbols"
			perf report -i "$WORK/perf.data" --sort dso,symbol --stdio --no-children -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -45 || true
		} >"$PERF_OUT"
		say "profile: $PERF_OUT"
	fi
	LINES+=("round=$r $L")
	say "$L"
	bench_stop_pids
	say "round $r: node"
	PIDS=()
	node "$HERE/peers/wsfan.js" "$P_NODE" >"$WORK/node-$r.log" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 50); do
		grep -q listening "$WORK/node-$r.log" && break
		sleep 0.1
	done
	L=$("$WORK/wsload" -m node -p "$P_NODE" -n "$CLIENTS" -r "$RATE" -d "$DURATION" \
		-P "${PIDS[-1]}" -s "$SID")
	LINES+=("round=$r $L")
	say "$L"
	bench_stop_pids
	PIDS=()
done

# mode_median MODE KEY: the median of KEY over the rounds of MODE.
mode_median() {
	local l
	for l in "${LINES[@]}"; do
		if [ "$(field "$l" mode)" = "$1" ]; then field "$l" "$2"; fi
	done | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_report_facts server/ws server/http bench/ws.sh bench/wsload.c bench/peers
OUT=${OUT:-$REPO/bench/results/ws-$DATE.txt}
{
	echo "# bench/ws.sh: seat hub vs Node ws fan-out"
	echo "command: $CMDLINE"
	echo "date: $DATE  commit: $COMMIT  cpu: $CPU ($(nproc) cores)  mem: $MEM"
	echo "load average (1, 5, 15 min): $LOAD_START before, $(cut -d' ' -f1-3 /proc/loadavg) after; daemon settings: --node_id 62 ${DAEMON_ARGS:-}"
	echo "node: $NODE_V  ws: $WS_V  clients: $CLIENTS  rate: $RATE changes/s  duration: $DURATION s  rounds: $ROUNDS (interleaved, fresh server each)"
	echo
	printf '%-6s %16s %14s %10s %10s %18s %14s %10s\n' server "deliveries/s" "frames/s" "p50 ms" "p99 ms" "bytes/idle client" "delivered %" "cpu %"
	for m in hub node; do
		d=$(mode_median $m deliveries)
		e=$(mode_median $m expected)
		printf '%-6s %16s %14s %10s %10s %18s %14s %10s\n' "$m" "$(mode_median $m deliveries_per_s)" \
			"$(mode_median $m frames_per_s)" "$(mode_median $m p50_ms)" "$(mode_median $m p99_ms)" \
			"$(mode_median $m bytes_per_idle_client)" "$(awk -v d="$d" -v e="$e" 'BEGIN { printf "%.1f", e ? 100 * d / e : 0 }')" \
			"$(mode_median $m server_cpu_pct)"
	done
	echo
	echo "(medians; a delivery is one seat change received by one subscriber: the hub merges"
	echo " the changes of 50 ms into one frame per subscriber, Node sends one frame per change)"
	echo
	echo "rounds:"
	printf '%s\n' "${LINES[@]}"
} >"$OUT"
cat "$OUT"
