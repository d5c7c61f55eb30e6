#!/usr/bin/env bash
# bench/run.sh: cached against uncached public reads, side by side in one run.
#
#   bench/run.sh [--duration S] [--warmup S] [--connections N] [--threads N]
#                [--stack DIR] [--build DIR] [--keep] [--out FILE]
#
# Starts two boxofficed instances on the same MariaDB and Redis, one with
# --read_cache 1 and one with --read_cache 0, on different loopback ports,
# and measures POST /film/sale/list and POST /screening/seats on each with
# wrk (bench/http.lua, METHOD=POST), one after the other, for --duration seconds each
# (default 10) after a --warmup (default 2). Writes the report to
# bench/results/catalogue-<date>.md (or --out FILE) and prints it.
#
# Without --stack, a private MariaDB and Redis are started under a temporary
# folder (packaging/stack.sh, free ports), migrated, loaded with
# packaging/demo.sql (or, when it is missing, with films, a hall and
# screenings created through the API), and removed at the end (--keep keeps
# them). With --stack DIR (e.g. the quick start's ./var) that running stack's
# MariaDB and Redis are used and left running; its own daemon is not measured.
#
# The daemon is a Release build in --build DIR (default build-bench/ of the
# repo, configured and built when needed), or $BOXOFFICED.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

DURATION=10 WARMUP=2 CONNS=50 THREADS=2 STACK_DIR=
bench_args "--stack:STACK_DIR" "$@"
bench_check_numbers DURATION WARMUP CONNS THREADS
bench_need wrk curl mariadb python3 cmake

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/boxoffice-bench.XXXXXX)
OWN_STACK=0
PIDS=()

cleanup() {
	bench_stop_pids
	if [ "$OWN_STACK" = 1 ]; then
		if [ "$KEEP" = 1 ]; then
			say "stack kept in $STACK_DIR (stop it with: packaging/stack.sh down $STACK_DIR)"
		else
			"$STACK_SH" down "$STACK_DIR" >/dev/null 2>&1 || true
			rm -rf "$STACK_DIR"
		fi
	fi
	if [ "$KEEP" = 1 ]; then
		say "logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the daemon ---------------------------------------------------------------

bench_build_daemon

# --- MariaDB and Redis ----------------------------------------------------------

if [ -z "$STACK_DIR" ]; then
	STACK_DIR=$WORK/stack
	bench_stack_start
	if [ -f "$REPO/packaging/demo.sql" ]; then
		bench_load_demo
	fi
else
	STACK_DIR=$(readlink -f "$STACK_DIR")
	[ -f "$STACK_DIR/env" ] || die "no stack in '$STACK_DIR' (no env file)"
	"$STACK_SH" status "$STACK_DIR" >/dev/null 2>&1 || say "note: not every part of $STACK_DIR runs"
fi

bench_stack_env

sql() { mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice -N -B -e "$1"; }
redis_cli() { redis-cli -p "$REDIS_PORT" "$@"; }

# --- the two instances ------------------------------------------------------------

read -r PORT_C PORT_U <<<"$(free_ports 2)"

# start_instance NAME PORT READ_CACHE NODE_ID: same settings but the cache switch.
start_instance() {
	bench_daemon_start "the $1 instance" "$WORK/$1.log" "$2" --read_cache "$3" --node_id "$4"
	say "$1 instance ready on 127.0.0.1:$2 (read_cache $3)"
}
start_instance cached "$PORT_C" 1 61
start_instance uncached "$PORT_U" 0 62
URL_C=http://127.0.0.1:$PORT_C
URL_U=http://127.0.0.1:$PORT_U

api() { # PATH BODY [TOKEN]
	curl -s --max-time 10 -X POST "$URL_C$1" -H 'Content-Type: application/json' \
		${3:+-H "Authorization: Bearer $3"} --data-binary @- <<<"$2" # stdin: no password in ps
}
jdata() { # KEY: data[KEY] of the answer on stdin
	python3 -c 'import json,sys
d=json.load(sys.stdin)
v=(d.get("data") or {}).get(sys.argv[1])
print("" if v is None else v)' "$1"
}

# --- data -------------------------------------------------------------------------------

seed_api() {
	local tok hall fid i now start layout
	say "no demo data: creating a hall, films and screenings through the API"
	tok=$(api /admin/login "{\"mobile\":\"$ADMIN_MOBILE\",\"password\":\"$ADMIN_PASSWORD\"}" | jdata accessToken)
	[ -n "$tok" ] || die "cannot log in as the admin to create bench data"
	layout=$(python3 -c 'import json; print(json.dumps(["S"*8+"."+"S"*8]*10 + ["V"*8+"."+"V"*8]*2))')
	hall=$(api /hall/create "{\"name\":\"bench hall\",\"layout\":$layout}" "$tok" | jdata id)
	[ -n "$hall" ] || die "/hall/create failed: $(api /hall/create "{\"name\":\"bench hall 2\",\"layout\":$layout}" "$tok")"
	now=$(date +%s)
	for i in $(seq 1 20); do
		fid=$(api /film/create "{\"name\":\"Bench film $i\",\"desc\":\"A film for the benchmark, number $i.\",\"stock\":$((i % 2 * 100)),\"amount\":4500,\"screenwriter\":\"S. Writer\",\"director\":\"D. Rector\",\"length\":100,\"isSelectSeat\":$((i % 2 == 0 ? 1 : 0)),\"genre\":\"Drama\"}" "$tok" | jdata id)
		[ -n "$fid" ] || die "/film/create failed"
		start=$((now + 86400 + i * 10800))
		api /screening/create "{\"filmId\":$fid,\"hallId\":$hall,\"startAt\":$start,\"prices\":{\"S\":4500,\"V\":6500}}" "$tok" | jdata id >/dev/null
	done
}

FILMS=$(sql "SELECT COUNT(*) FROM films WHERE removed = 0")
if [ "${FILMS:-0}" = 0 ]; then
	seed_api
	FILMS=$(sql "SELECT COUNT(*) FROM films WHERE removed = 0")
fi
SCREENINGS=$(sql "SELECT COUNT(*) FROM screenings WHERE status = 0 AND start_at > UNIX_TIMESTAMP()")
SID=$(sql "SELECT s.id FROM screenings s JOIN halls h ON h.id = s.hall_id WHERE s.status = 0 AND s.start_at > UNIX_TIMESTAMP() ORDER BY h.seats DESC, s.start_at LIMIT 1")
SEATS=0
if [ -n "$SID" ]; then
	SEATS=$(sql "SELECT h.seats FROM screenings s JOIN halls h ON h.id = s.hall_id WHERE s.id = $SID")
fi

# --- measuring ------------------------------------------------------------------------------

ENDPOINTS=("/film/sale/list|{}")
if [ -n "$SID" ]; then
	ENDPOINTS+=("/screening/seats|{\"id\":$SID}")
else
	say "no future screening: /screening/seats is not measured"
fi

# Both instances must give the same answer, or the comparison means nothing.
for e in "${ENDPOINTS[@]}"; do
	path=${e%%|*} body=${e#*|}
	a=$(curl -s -X POST "$URL_C$path" -H 'Content-Type: application/json' -d "$body")
	b=$(curl -s -X POST "$URL_U$path" -H 'Content-Type: application/json' -d "$body")
	python3 - "$path" "$a" "$b" <<'EOF' || die "the two instances disagree on $path"
import json, sys
path, a, b = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
if a.get("code") != 200:
    sys.exit("bench: %s answered %s" % (path, sys.argv[2][:300]))
if a != b:
    sys.exit("bench: cached and uncached answers of %s differ" % path)
EOF
done

metric() { # URL NAME
	curl -s --max-time 5 "$1/metrics" | awk -v n="$2" '$1 == n { printf "%d", $2 }'
}

# run_wrk URL PATH BODY SECONDS: prints the RESULT line
run_wrk() {
	METHOD=POST BODY=$3 wrk -t"$THREADS" -c"$CONNS" -d"${4}s" --timeout 5s -s "$HERE/http.lua" "$1$2" 2>&1 |
		grep '^RESULT' || true
}

ROWS=()
declare -A RPS
for e in "${ENDPOINTS[@]}"; do
	path=${e%%|*} body=${e#*|}
	for mode in cached uncached; do
		url=$URL_C
		[ "$mode" = uncached ] && url=$URL_U
		[ "$WARMUP" -gt 0 ] && run_wrk "$url" "$path" "$body" "$WARMUP" >/dev/null
		h0=$(metric "$url" boxoffice_cache_hits)
		m0=$(metric "$url" boxoffice_cache_misses)
		say "measuring $path on the $mode instance for ${DURATION}s"
		line=$(run_wrk "$url" "$path" "$body" "$DURATION")
		[ -n "$line" ] || die "wrk gave no result for $path ($mode)"
		h1=$(metric "$url" boxoffice_cache_hits)
		m1=$(metric "$url" boxoffice_cache_misses)
		rps=$(field "$line" rps)
		RPS[$path/$mode]=$rps
		errs=$(($(field "$line" connect_err) + $(field "$line" read_err) + $(field "$line" write_err) + $(field "$line" timeout)))
		ROWS+=("$(printf '| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |' \
			"$path" "$mode" "$rps" \
			"$(ms "$(field "$line" p50_us)")" "$(ms "$(field "$line" p90_us)")" \
			"$(ms "$(field "$line" p99_us)")" \
			"$(field "$line" requests)" "$errs" "$(field "$line" non2xx)" \
			"$((${h1:-0} - ${h0:-0})) / $((${m1:-0} - ${m0:-0}))")")
	done
done

# --- the report ----------------------------------------------------------------------------------

bench_report_facts server protocol sql
[ -n "$OUT" ] || OUT=$HERE/results/catalogue-$DATE.md
mkdir -p "$(dirname "$OUT")"

{
	bench_report_head "Cached and uncached catalogue reads"
	echo "- $("$BIN" --version 2>&1 | head -n1); $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2);" \
		"$(mariadb --version | sed 's/,.*//'); $(redis-server --version | cut -d' ' -f1-3)"
	echo "- Everything on this machine over loopback: both daemons, MariaDB, Redis and wrk share the cores."
	echo "- Load average (1, 5, 15 min) before the run: $LOAD_START; after: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "## Setup"
	echo
	echo "- Two boxofficed instances on the same MariaDB and Redis, identical settings (workers = cores," \
		"log level warn, rate limits off) except \`--read_cache 1\` (port $PORT_C) and \`--read_cache 0\` (port $PORT_U)."
	echo "- Data: $FILMS films, $SCREENINGS future screenings; \`/screening/seats\` reads screening ${SID:-none} ($SEATS seats)."
	echo "- wrk: $THREADS threads, $CONNS connections, keep-alive, ${WARMUP}s warm-up then ${DURATION}s measured per row," \
		"POST with a JSON body (bench/http.lua, METHOD=POST); rows run one after the other."
	echo "- Both instances were checked to give identical answers before measuring."
	echo
	echo "## Results"
	echo
	echo "| endpoint | read cache | req/s | p50 ms | p90 ms | p99 ms | requests | socket errors | non-2xx | cache hits / misses |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	for e in "${ENDPOINTS[@]}"; do
		path=${e%%|*}
		c=${RPS[$path/cached]:-0} u=${RPS[$path/uncached]:-0}
		echo "- \`$path\`: cached/uncached throughput $(python3 -c "import sys; c,u=float(sys.argv[1]),float(sys.argv[2]); print('%.2fx' % (c/u) if u else 'n/a')" "$c" "$u")"
	done
	echo
	echo "The cache counters are the daemon's /metrics gauges over the measured window:"
	echo "the cached instance should show hits and almost no misses, the uncached one neither"
	echo "(it reads MySQL on every request)."
} >"$OUT"

say "report written to $OUT"
cat "$OUT"
