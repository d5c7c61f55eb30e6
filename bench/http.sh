#!/usr/bin/env bash
# bench/http.sh: the daemon's HTTP transport against nginx, side by side in one run.
#
#   bench/http.sh [--duration S] [--warmup S] [--rounds N] [--connections N]
#                 [--threads N] [--build DIR] [--out FILE] [--perf DIR]
#                 [--strace FILE] [--keep]
#
# Measures seven rows with wrk (bench/http.lua), one after the other, with
# the same threads and connections (default -t2 -c100), a --warmup (default
# 3 s) then --duration seconds (default 10) each, on loopback:
#
#   1. nginx (1 worker, access_log off) serving a static 2 KiB JSON file;
#      the reference of shared/research/limits.md row 3a
#   2. boxofficed serving the same file at GET /static/bench.json (web_root):
#      the loop threads alone
#   3. nginx serving the very bytes boxofficed answers to POST /film/sale/list
#   4. boxofficed POST /film/sale/list with the read cache on: loop -> worker
#      -> Redis -> render -> loop
#   5. nginx serving the very bytes boxofficed answers to POST /screening/seats
#   6. boxofficed POST /screening/seats of a demo screening, read cache on
#   7. boxofficed POST /user/userinfo without a token: a 401 from the
#      dispatcher, the worker round trip without storage
#
# Each boxofficed row is set against its nginx row (2 and 7 against 1, 4
# against 3, 6 against 5): the goal of issue 12 is 75 % of nginx's req/s for
# the cached reads (rows 4 and 6).
#
# --rounds N (default 1) runs the rows N times, interleaved, and reports
# each row's median round and the range. DAEMON_ARGS adds settings to the
# daemon's command line (e.g. DAEMON_ARGS="--loops 1").
#
# Writes bench/results/http-<date>.md (or --out FILE) and prints it: req/s,
# latency p50/p90/p99, socket errors, non-2xx, response size and the CPU the
# server, wrk and Redis used during each measured window, plus the machine,
# versions and load average.
#
# Installs nginx-light when nginx is missing (apt-get, needs root). Builds a
# Release boxofficed in --build DIR (default build-bench/ of the repo), or
# uses $BOXOFFICED. Starts a private MariaDB and Redis under a temporary
# folder (packaging/stack.sh, PICK_PORTS=1), loads packaging/demo.sql, starts
# one boxofficed and one nginx (foreground, private nginx.conf, free loopback
# port), and stops all of them on exit (--keep keeps the folder and logs, the
# processes are stopped anyway).
#
# --perf DIR: after the measured rows, load row 3 once more for --duration
# seconds with `perf record -g` attached to the daemon; writes DIR/perf.data
# and DIR/perf-report*.txt (the measured rows are not affected). PERF_ARGS
# replaces the options "-g -F 999", e.g. PERF_ARGS="--call-graph dwarf -F 499".
#
# --strace FILE: after the measured rows, rows 2 (static) and 4 (sale list)
# once more for --duration seconds each with `strace -c -f` attached to the
# daemon; FILE gets the syscall table of each and the syscalls per request
# (strace slows the daemon: the counts matter, not the req/s).
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

DURATION=10 WARMUP=3 ROUNDS=1 CONNS=100 THREADS=2 PERF_DIR=
STRACE_OUT=
bench_args "--rounds:ROUNDS --perf:PERF_DIR --strace:STRACE_OUT" "$@"
bench_check_numbers DURATION WARMUP ROUNDS CONNS THREADS
bench_need wrk curl mariadb redis-server python3 cmake

# nginx: the reference. Installed here only (never in CI). policy-rc.d or
# not, a system nginx that the package starts is not ours and is left alone.
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || NGINX=/usr/sbin/nginx
if [ ! -x "$NGINX" ]; then
	[ "$(id -u)" = 0 ] || die "nginx is missing: apt-get install nginx-light (as root), or run this as root"
	say "installing nginx-light"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light >&2; } ||
		die "cannot install nginx-light"
	[ -x "$NGINX" ] || die "nginx-light is installed but $NGINX is missing"
fi
if [ -n "$PERF_DIR" ]; then
	command -v perf >/dev/null || die "--perf needs perf (apt-get install linux-perf)"
	mkdir -p "$PERF_DIR"
	PERF_DIR=$(readlink -f "$PERF_DIR")
fi

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
bench_work /tmp/boxoffice-httpbench.XXXXXX
# nginx's worker runs as an unprivileged user when we are root: the web root
# and nginx's folder are world-readable, the stack (secrets) stays private.
chmod 755 "$WORK"

# --- the daemon -------------------------------------------------------------

bench_build_daemon

# --- MariaDB and Redis, demo data --------------------------------------------

bench_stack_start
bench_stack_env
[ -f "$REPO/packaging/demo.sql" ] || die "packaging/demo.sql is missing: row 3 needs films"
bench_load_demo
FILMS=$(mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice -N -B \
	-e "SELECT COUNT(*) FROM films WHERE removed = 0")
REDIS_PID=$(head -n1 "$STACK_DIR/redis/redis.pid" 2>/dev/null || true)

# --- the 2 KiB JSON file -----------------------------------------------------

WEB=$WORK/web
mkdir -p "$WEB/static"
# A seat-map-like JSON of exactly 2048 bytes, the same bytes for both servers.
python3 - "$WEB/static/bench.json" <<'EOF'
import json, sys
seats, i = [], 0
while True:
    seats.append({"row": i // 16 + 1, "col": i % 16 + 1, "type": "S", "state": i % 3})
    s = json.dumps({"screeningId": 4711, "version": 1, "seats": seats}, separators=(",", ":"))
    if len(s) > 2048 - 40:
        break
    i += 1
doc = {"screeningId": 4711, "version": 1, "seats": seats[:-1], "pad": ""}
s = json.dumps(doc, separators=(",", ":"))
doc["pad"] = "x" * (2048 - len(s))
s = json.dumps(doc, separators=(",", ":"))
assert len(s) == 2048, len(s)
open(sys.argv[1], "w").write(s)
EOF
chmod -R a+rX "$WEB"
FILE_BYTES=$(stat -c %s "$WEB/static/bench.json")
SCREENING=$(mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice -N -B \
	-e "SELECT id FROM screenings ORDER BY id LIMIT 1")
[ -n "$SCREENING" ] || die "the demo data has no screening: row 6 needs one"

read -r PORT_D PORT_N <<<"$(free_ports 2)"

# --- nginx --------------------------------------------------------------------

NG=$WORK/nginx
mkdir -p "$NG/logs" "$NG/tmp"
cat >"$NG/nginx.conf" <<EOF
# Private nginx of bench/http.sh: the config of limits.md row 3a.
worker_processes 1;
daemon off;
pid $NG/nginx.pid;
error_log $NG/logs/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	types { application/json json; }
	default_type application/octet-stream;
	client_body_temp_path $NG/tmp/body;
	proxy_temp_path $NG/tmp/proxy;
	fastcgi_temp_path $NG/tmp/fastcgi;
	uwsgi_temp_path $NG/tmp/uwsgi;
	scgi_temp_path $NG/tmp/scgi;
	server {
		listen 127.0.0.1:$PORT_N;
		root $WEB;
	}
}
EOF
"$NGINX" -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf" -t >"$NG/logs/test.log" 2>&1 ||
	{ cat "$NG/logs/test.log" >&2; die "nginx rejects $NG/nginx.conf"; }
"$NGINX" -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf" </dev/null >"$NG/logs/stdout.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
URL_N=http://127.0.0.1:$PORT_N
wait_http "$URL_N/static/bench.json" "$NGINX_PID" nginx "$NG/logs/error.log"
say "nginx ready on 127.0.0.1:$PORT_N (pid $NGINX_PID)"

# --- boxofficed ------------------------------------------------------------------

# shellcheck disable=SC2086 # DAEMON_ARGS is a list of settings
bench_daemon_start boxofficed "$WORK/daemon.log" "$PORT_D" --web_root "$WEB" --read_cache 1 --node_id 63 ${DAEMON_ARGS:-}
DAEMON_PID=${PIDS[-1]}
URL_D=http://127.0.0.1:$PORT_D
say "boxofficed ready on 127.0.0.1:$PORT_D (pid $DAEMON_PID)"

# The bodies of the two cached reads, for nginx to serve the same bytes.
for pair in "film/sale/list|{}|sale-list.json" "screening/seats|{\"id\":$SCREENING}|seats.json"; do
	IFS='|' read -r path body file <<<"$pair"
	curl -sf --max-time 5 -H 'Content-Type: application/json' -d "$body" \
		-o "$WEB/static/$file" "$URL_D/$path" || die "POST /$path failed"
	grep -q '"code":200' "$WEB/static/$file" || die "POST /$path: $(head -c 300 "$WEB/static/$file")"
	chmod a+r "$WEB/static/$file"
done
THREADS_ALL=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$DAEMON_PID/status")

# --- the rows ----------------------------------------------------------------------

# name|url|method|body|expected status|server
ROWS_DEF=(
	"nginx static 2 KiB|$URL_N/static/bench.json|GET||200|nginx"
	"boxofficed static 2 KiB|$URL_D/static/bench.json|GET||200|daemon"
	"nginx the bytes of /film/sale/list|$URL_N/static/sale-list.json|GET||200|nginx"
	"boxofficed POST /film/sale/list (read cache on)|$URL_D/film/sale/list|POST|{}|200|daemon"
	"nginx the bytes of /screening/seats|$URL_N/static/seats.json|GET||200|nginx"
	"boxofficed POST /screening/seats (read cache on)|$URL_D/screening/seats|POST|{\"id\":$SCREENING}|200|daemon"
	"boxofficed POST /user/userinfo, no token (401)|$URL_D/user/userinfo|POST|{}|401|daemon"
)
# Each daemon row's reference row.
declare -A REF=(
	["boxofficed static 2 KiB"]="nginx static 2 KiB"
	["boxofficed POST /film/sale/list (read cache on)"]="nginx the bytes of /film/sale/list"
	["boxofficed POST /screening/seats (read cache on)"]="nginx the bytes of /screening/seats"
	["boxofficed POST /user/userinfo, no token (401)"]="nginx static 2 KiB"
)

# Check each row's answer once before measuring: status, size, and for the
# static rows the very bytes of the file.
declare -A BYTES
for r in "${ROWS_DEF[@]}"; do
	IFS='|' read -r name url method body want _ <<<"$r"
	args=(-s -o "$WORK/answer" -w '%{http_code} %{size_download}' --max-time 5 -X "$method")
	[ "$method" = POST ] && args+=(-H 'Content-Type: application/json' -d "$body")
	read -r code size <<<"$(curl "${args[@]}" "$url")"
	[ "$code" = "$want" ] || die "$name: $url answered $code, not $want: $(head -c 300 "$WORK/answer")"
	case $name in
	*static*) cmp -s "$WORK/answer" "$WEB/static/bench.json" || die "$name: the body is not the file" ;;
	*sale/list* | *seats*) grep -q '"code":200' "$WORK/answer" || die "$name: $(head -c 300 "$WORK/answer")" ;;
	esac
	case $name in
	"nginx the bytes of /film/sale/list") cmp -s "$WORK/answer" "$WEB/static/sale-list.json" || die "$name: not the daemon's bytes" ;;
	"nginx the bytes of /screening/seats") cmp -s "$WORK/answer" "$WEB/static/seats.json" || die "$name: not the daemon's bytes" ;;
	esac
	BYTES[$name]=$size
done

CLK_TCK=$(getconf CLK_TCK)
# cpu_ticks PID...: utime + stime of these processes (all their threads) and
# of their children still alive (nginx's worker is the master's child).
cpu_ticks() {
	local p all=() kids=() total=0 t
	for p in "$@"; do
		[ -n "$p" ] || continue
		read -r -a kids <"/proc/$p/task/$p/children" 2>/dev/null || true
		all+=("$p" "${kids[@]}")
	done
	for p in "${all[@]}"; do
		t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
		total=$((total + t))
	done
	echo "$total"
}

# run_wrk URL METHOD BODY SECONDS: wrk's output in $WORK/wrk.out, its CPU
# seconds (user + system) in $WORK/wrk.time
run_wrk() {
	local TIMEFORMAT='%U %S'
	{ time METHOD=$2 BODY=$3 wrk -t"$THREADS" -c"$CONNS" -d"${4}s" --timeout 5s \
		-s "$HERE/http.lua" "$1" >"$WORK/wrk.out" 2>&1; } 2>"$WORK/wrk.time"
}

cores() { awk -v t="$1" -v hz="$CLK_TCK" -v d="$2" 'BEGIN { printf "%.2f", t / hz / d }'; }

# machine_ticks: busy ticks of the whole machine (every process, all cores).
machine_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# measure ROUND NAME URL METHOD BODY SERVER_PID: one warm-up and one measured
# run; stores "RESULT ... wall=S server_t=T redis_t=T machine_t=T wrk_cpu=C"
# in LINES[NAME#ROUND].
declare -A LINES
measure() {
	local round=$1 name=$2 url=$3 method=$4 body=$5 srv=$6 s0 s1 r0 r1 m0 m1 t0 t1 line
	if [ "$WARMUP" -gt 0 ]; then
		say "round $round: warming up: $name (${WARMUP}s)"
		run_wrk "$url" "$method" "$body" "$WARMUP"
	fi
	say "round $round: measuring: $name (${DURATION}s)"
	s0=$(cpu_ticks "$srv")
	r0=$(cpu_ticks "$REDIS_PID")
	m0=$(machine_ticks)
	t0=$(date +%s.%N)
	run_wrk "$url" "$method" "$body" "$DURATION"
	t1=$(date +%s.%N)
	m1=$(machine_ticks)
	s1=$(cpu_ticks "$srv")
	r1=$(cpu_ticks "$REDIS_PID")
	line=$(grep '^RESULT' "$WORK/wrk.out" || true)
	[ -n "$line" ] || { cat "$WORK/wrk.out" >&2; die "wrk gave no result for $name"; }
	LINES[$name#$round]="$line $(awk -v a="$t0" -v b="$t1" '{ printf "wall=%.3f wrk_cpu=%.2f", b - a, $1 + $2 }' "$WORK/wrk.time") server_t=$((s1 - s0)) redis_t=$((r1 - r0)) machine_t=$((m1 - m0))"
}

# Rounds interleave the rows, so a burst of other work on the machine hits
# every row alike rather than one of them.
for round in $(seq 1 "$ROUNDS"); do
	for r in "${ROWS_DEF[@]}"; do
		IFS='|' read -r name url method body want server <<<"$r"
		if [ "$server" = nginx ]; then srv=$NGINX_PID; else srv=$DAEMON_PID; fi
		measure "$round" "$name" "$url" "$method" "$body" "$srv"
	done
done

# Each row reports its median round (by req/s) and the range over rounds.
TABLE=()
declare -A RPS
for r in "${ROWS_DEF[@]}"; do
	IFS='|' read -r name _ _ _ want _ <<<"$r"
	best=$(for round in $(seq 1 "$ROUNDS"); do
		echo "$(field "${LINES[$name#$round]}" rps) $round"
	done | sort -n | awk '{ v[NR] = $1; k[NR] = $2 } END { printf "%s %s %s", k[int((NR + 1) / 2)], v[1], v[NR] }')
	read -r round lo hi <<<"$best"
	line=${LINES[$name#$round]}
	wall=$(field "$line" wall)
	errs=$(($(field "$line" connect_err) + $(field "$line" read_err) + $(field "$line" write_err) + $(field "$line" timeout)))
	srv_c=$(cores "$(field "$line" server_t)" "$wall")
	red_c=$(cores "$(field "$line" redis_t)" "$wall")
	mac_c=$(cores "$(field "$line" machine_t)" "$wall")
	wrk_c=$(awk -v c="$(field "$line" wrk_cpu)" -v d="$wall" 'BEGIN { printf "%.2f", c / d }')
	oth_c=$(awk -v m="$mac_c" -v a="$srv_c" -v b="$red_c" -v c="$wrk_c" 'BEGIN { o = m - a - b - c; printf "%.2f", o < 0 ? 0 : o }')
	per_req=$(awk -v t="$(field "$line" server_t)" -v hz="$CLK_TCK" -v n="$(field "$line" requests)" \
		'BEGIN { printf "%.0f", n ? t / hz / n * 1e6 : 0 }')
	RPS[$name]=$(field "$line" rps)
	range=
	[ "$ROUNDS" -gt 1 ] && range=" [$lo–$hi]"
	TABLE+=("$(printf '| %s | %s%s | %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s |' \
		"$name" "${RPS[$name]}" "$range" \
		"$(ms "$(field "$line" p50_us)")" "$(ms "$(field "$line" p90_us)")" "$(ms "$(field "$line" p99_us)")" \
		"$(field "$line" requests)" "$errs" "$(field "$line" non2xx)" "$want" "${BYTES[$name]}" \
		"$srv_c" "$per_req" "$wrk_c" "$red_c" "$oth_c")")
done

# --- optional profile of row 3 --------------------------------------------------------

if [ -n "$PERF_DIR" ]; then
	say "profiling boxofficed under row 3 for ${DURATION}s into $PERF_DIR"
	METHOD=POST BODY='{}' wrk -t"$THREADS" -c"$CONNS" -d"$((DURATION + 2))s" --timeout 5s \
		-s "$HERE/http.lua" "$URL_D/film/sale/list" >"$PERF_DIR/wrk.out" 2>&1 &
	WRK_PID=$!
	sleep 1
	# shellcheck disable=SC2086 # PERF_ARGS is a list of options
	perf record ${PERF_ARGS:--g -F 999} -p "$DAEMON_PID" -o "$PERF_DIR/perf.data" -- sleep "$DURATION" \
		>"$PERF_DIR/perf-record.log" 2>&1 || say "perf record failed: see $PERF_DIR/perf-record.log"
	wait "$WRK_PID" || true
	perf report -i "$PERF_DIR/perf.data" --no-children --sort symbol --stdio -g none \
		>"$PERF_DIR/perf-report.txt" 2>/dev/null || true
	perf report -i "$PERF_DIR/perf.data" --no-children --sort dso --stdio -g none \
		>"$PERF_DIR/perf-report-dso.txt" 2>/dev/null || true
	perf report -i "$PERF_DIR/perf.data" --children --sort symbol --stdio -g caller,0.5,callee,function,percent \
		>"$PERF_DIR/perf-report-children.txt" 2>/dev/null || true
	say "profile: $PERF_DIR/perf-report.txt"
fi

# --- optional syscall count of rows 2 and 4 ---------------------------------------------

if [ -n "$STRACE_OUT" ]; then
	command -v strace >/dev/null || die "--strace needs strace"
	mkdir -p "$(dirname "$STRACE_OUT")"
	{
		echo "# strace -c -f of boxofficed under bench/http.sh rows ($(date -u '+%F %T') UTC, $("$BIN" --version 2>&1 | head -n1), load $(cut -d' ' -f1-3 /proc/loadavg))"
		echo "# wrk -t$THREADS -c$CONNS -d${DURATION}s; syscalls/request = every call of the daemon's threads / requests answered"
	} >"$STRACE_OUT"
	for r in "${ROWS_DEF[1]}" "${ROWS_DEF[3]}"; do
		IFS='|' read -r name url method body _ <<<"$r"
		say "strace -c -f of boxofficed under: $name (${DURATION}s)"
		strace -c -f -p "$DAEMON_PID" -o "$WORK/strace.txt" &
		STRACE_PID=$!
		sleep 1
		run_wrk "$url" "$method" "$body" "$DURATION"
		kill -INT "$STRACE_PID" 2>/dev/null || true
		wait "$STRACE_PID" || true
		reqs=$(field "$(grep '^RESULT' "$WORK/wrk.out")" requests)
		calls=$(awk '$NF == "total" { print $4 }' "$WORK/strace.txt")
		{
			echo
			echo "## $name: $reqs requests, $calls syscalls, $(awk -v c="$calls" -v n="$reqs" 'BEGIN { printf "%.2f", n ? c / n : 0 }') per request"
			cat "$WORK/strace.txt"
		} >>"$STRACE_OUT"
	done
	say "syscall counts: $STRACE_OUT"
fi

# --- the report ------------------------------------------------------------------------

bench_report_facts server protocol
[ -n "$OUT" ] || OUT=$HERE/results/http-$DATE.md
mkdir -p "$(dirname "$OUT")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", b ? 100 * a / b : 0 }'; }

{
	bench_report_head "The daemon's HTTP transport against nginx"
	echo "- $("$BIN" --version 2>&1 | head -n1); $("$NGINX" -v 2>&1 | sed 's/.*: //');" \
		"libwebsockets $(pkg-config --modversion libwebsockets 2>/dev/null | sed 's/-$//' || echo '?');" \
		"$(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2); $(redis-server --version | cut -d' ' -f1-3)"
	echo "- Everything on this machine over loopback: wrk, nginx, boxofficed, Redis and MariaDB share the cores."
	echo "- Load average (1, 5, 15 min) before the run: $LOAD_START; after: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "## Setup"
	echo
	echo "- nginx: 1 worker, \`access_log off\`, \`sendfile on\`, \`tcp_nopush on\`, \`keepalive_requests 1000000\`" \
		"(the config of limits.md row 3a), foreground, port $PORT_N."
	echo "- boxofficed: Release build, one instance, default workers and loops (one per core; $THREADS_ALL threads in all" \
		"with the loops, Kafka and the pools), \`--read_cache 1 --rate_limits 0 --log_level warn ${DAEMON_ARGS:-}\`," \
		"\`--web_root\` the same folder as nginx's root, port $PORT_D; demo data ($FILMS films)."
	echo "- The static file: $FILE_BYTES bytes of JSON, the same bytes from both servers (checked)." \
		"Rows 3 and 5: nginx serves the bytes boxofficed answered to the same POST just before" \
		"($(stat -c %s "$WEB/static/sale-list.json") and $(stat -c %s "$WEB/static/seats.json") bytes; screening $SCREENING), checked again before measuring."
	echo "- In every round the rows run in this order, so each daemon row runs right after its nginx row."
	echo "- wrk: $THREADS threads, $CONNS connections, keep-alive, ${WARMUP}s warm-up then ${DURATION}s measured per row," \
		"requests built once by bench/http.lua (no per-request Lua); rows run one after the other."
	echo "- CPU columns: CPU seconds (user + system) per wall second during the measured window, in cores" \
		"(the machine has $(nproc)); server = nginx's master and worker, or all of boxofficed's threads" \
		"(server µs/req: the server's CPU time divided by the requests answered);" \
		"other = the whole machine's busy time (/proc/stat) minus server, wrk and Redis: MariaDB, the kernel's" \
		"softirq work not charged to a process, and whatever else runs on the machine."
	if [ "$ROUNDS" -gt 1 ]; then
		echo "- $ROUNDS rounds, each running the seven rows in turn; each row shows its median round by req/s" \
			"(latency, counts and CPU from that round) and, in brackets, the range of req/s over the rounds."
	fi
	echo
	echo "## Results"
	echo
	echo "| row | req/s | p50 ms | p90 ms | p99 ms | requests | socket errors | non-2xx (expected status) | body bytes | server CPU | server µs/req | wrk CPU | Redis CPU | other CPU |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${TABLE[@]}"
	echo
	echo "Against nginx in this run (req/s of the median rounds):"
	for r in "${ROWS_DEF[@]}"; do
		IFS='|' read -r name _ <<<"$r"
		[ -n "${REF[$name]:-}" ] || continue
		echo "- $name: $(ratio "${RPS[$name]}" "${RPS[${REF[$name]}]}") of ${REF[$name]}" \
			"(${RPS[$name]} against ${RPS[${REF[$name]}]})"
	done
	echo
	echo "Reference: limits.md row 3a measured nginx at 85,900 req/s (median of 3, p50 1.12 ms, p99 2.72 ms) with wrk -t2 -c100 -d15s on the same kind of machine."
	echo "Row 7's non-2xx are the expected 401 answers."
} >"$OUT"

say "report written to $OUT"
cat "$OUT"
