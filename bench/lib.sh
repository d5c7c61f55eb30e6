# shellcheck shell=bash disable=SC2034 # the variables it sets are the sourcing script's
# bench/lib.sh: what the bench/*.sh scripts share, sourced by each
# (not run on its own): messages and the usage text, the tools check,
# stopping the processes a script started (PIDS), building the Release
# daemon (BIN), a private MariaDB and Redis through packaging/stack.sh with
# the demo data, the stack's env and secrets, free loopback ports, starting
# one boxofficed and waiting for it, and the small helpers of the reports.
#
# The sourcing script sets HERE (its folder) before sourcing it, and WORK,
# STACK_DIR, OWN_STACK=0 and PIDS=() before calling these. Sourcing sets
# REPO, STACK_SH, CMDLINE (the script's command line, for the reports) and
# the defaults BUILD_DIR (build-bench/ of the repo), KEEP=0 and OUT=.

REPO=$(dirname "$HERE")
STACK_SH=$REPO/packaging/stack.sh
CMDLINE="bench/${0##*/}${*:+ $*}"
BUILD_DIR=$REPO/build-bench KEEP=0 OUT=

say() { echo "bench: $*" >&2; }
die() {
	echo "bench: $*" >&2
	exit 1
}
# usage [STATUS]: the script's header comment, then exit.
usage() {
	sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'
	exit "${1:-2}"
}

# bench_option ARG...: one option that both scripts take (--duration S,
# --warmup S, --connections N, --threads N, --build DIR, --out FILE, --keep,
# --help) from the front of ARGs; BENCH_SHIFT = the arguments it used. An
# unknown option prints the usage and exits.
bench_option() {
	BENCH_SHIFT=2
	case $1 in
	--duration) DURATION=${2:?} ;;
	--warmup) WARMUP=${2:?} ;;
	--connections) CONNS=${2:?} ;;
	--threads) THREADS=${2:?} ;;
	--build) BUILD_DIR=${2:?} ;;
	--out) OUT=${2:?} ;;
	--keep) KEEP=1 BENCH_SHIFT=1 ;;
	-h | --help) usage 0 ;;
	*) echo "bench: unknown argument '$1'" >&2; usage 2 ;;
	esac
}

# bench_args "OPTION:VAR ..." ARG...: parse the script's ARGs: each of its
# own OPTIONs sets VAR to the argument after it; the rest go to bench_option.
bench_args() {
	local own=" $1 " var
	shift
	while [ $# -gt 0 ]; do
		if [[ $own == *" $1:"* ]]; then
			var=${own#*" $1:"}
			printf -v "${var%% *}" '%s' "${2:?}"
			shift 2
		else
			bench_option "$@"
			shift "$BENCH_SHIFT"
		fi
	done
}

# bench_check_numbers VAR...: each VAR (by name) a whole number, all but
# WARMUP at least 1, and CONNS at least THREADS.
bench_check_numbers() {
	local v
	for v in "$@"; do
		[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
		[ "$v" = WARMUP ] || [ "${!v}" -ge 1 ] || die "$v must be at least 1"
	done
	[ "$CONNS" -ge "$THREADS" ] || die "--connections must be at least --threads"
}

# bench_need CMD...: die unless every command is installed.
bench_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || die "'$c' not found: run packaging/install-deps.sh"
	done
}

# bench_stop_pids: SIGTERM every process in PIDS, then wait for them.
bench_stop_pids() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}

# bench_work TEMPLATE: WORK = a new folder made by mktemp -d TEMPLATE, the
# stack in STACK_DIR=WORK/stack, no stack or processes yet; bench_cleanup
# runs on exit (and on INT or TERM).
bench_work() {
	WORK=$(mktemp -d "$1")
	STACK_DIR=$WORK/stack
	OWN_STACK=0
	PIDS=()
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

# bench_cleanup: the EXIT trap: stop PIDS, then the stack if the script
# started it (OWN_STACK=1), and remove WORK unless --keep.
bench_cleanup() {
	bench_stop_pids
	if [ "$OWN_STACK" = 1 ]; then
		"$STACK_SH" down "$STACK_DIR" >/dev/null 2>&1 || true
	fi
	if [ "$KEEP" = 1 ]; then say "folder and logs kept in $WORK"; else rm -rf "$WORK"; fi
}

# bench_build_daemon: BIN = $BOXOFFICED, or a Release boxofficed built in
# BUILD_DIR (configured when needed; logs in WORK).
bench_build_daemon() {
	if [ -n "${BOXOFFICED:-}" ]; then
		BIN=$(readlink -f "$BOXOFFICED")
	else
		say "building a Release boxofficed in $BUILD_DIR"
		if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
			cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF \
				>"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log" >&2; die "cmake failed"; }
		fi
		cmake --build "$BUILD_DIR" -j"$(nproc)" --target boxofficed >"$WORK/build.log" 2>&1 ||
			{ tail -n 30 "$WORK/build.log" >&2; die "build failed (log above)"; }
		BIN=$BUILD_DIR/boxofficed
	fi
	[ -x "$BIN" ] || die "boxofficed '$BIN' not found"
}

# get KEY / secret KEY: a value of the stack's env file / secrets file.
get() { sed -n "s/^$1=//p" "$STACK_DIR/env" | tail -n1; }
secret() { sed -n "s/^$1=//p" "$STACK_DIR/secrets" 2>/dev/null | tail -n1; }

# bench_stack_start: a private MariaDB and Redis in STACK_DIR on free ports,
# migrated with BIN; OWN_STACK=1 so that the script's cleanup stops them.
bench_stack_start() {
	say "starting MariaDB and Redis under $STACK_DIR"
	OWN_STACK=1
	export PICK_PORTS=1 SINKS=0
	"$STACK_SH" mysql-start "$STACK_DIR" >&2
	"$STACK_SH" redis-start "$STACK_DIR" >&2
	BOXOFFICED=$BIN "$STACK_SH" migrate "$STACK_DIR" >&2
}

# bench_load_demo: load packaging/demo.sql into the stack's database.
bench_load_demo() {
	say "loading packaging/demo.sql"
	mariadb --no-defaults --socket="$(get MYSQL_SOCKET)" -uroot boxoffice \
		<"$REPO/packaging/demo.sql" || die "cannot load packaging/demo.sql"
}

# bench_stack_env: MYSQL_SOCKET, MYSQL_PORT, REDIS_PORT, MYSQL_PASSWORD,
# JWT_SECRET, PAY_SECRET, ADMIN_PASSWORD and ADMIN_MOBILE of the stack.
bench_stack_env() {
	MYSQL_SOCKET=$(get MYSQL_SOCKET)
	MYSQL_PORT=$(get MYSQL_PORT)
	REDIS_PORT=$(get REDIS_PORT)
	[ -n "$MYSQL_SOCKET" ] && [ -n "$MYSQL_PORT" ] && [ -n "$REDIS_PORT" ] || die "incomplete env file in $STACK_DIR"
	MYSQL_PASSWORD=$(secret MYSQL_PASSWORD)
	JWT_SECRET=$(secret JWT_SECRET)
	PAY_SECRET=$(secret PAY_SECRET)
	ADMIN_PASSWORD=$(secret ADMIN_PASSWORD)
	ADMIN_MOBILE=$(get ADMIN_MOBILE)
	[ -n "$ADMIN_MOBILE" ] || ADMIN_MOBILE=13800000000
	[ -n "$MYSQL_PASSWORD" ] && [ -n "$JWT_SECRET" ] && [ -n "$PAY_SECRET" ] || die "no secrets in $STACK_DIR/secrets"
}

# free_ports N: N loopback ports that were free a moment ago, on one line.
free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# wait_http URL PID NAME LOG: wait up to 60 s for URL to answer 200; die
# (with the end of LOG) if it does not or PID is gone.
wait_http() {
	local n=300
	until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1")" = 200 ]; do
		n=$((n - 1))
		if [ "$n" -le 0 ] || ! kill -0 "$2" 2>/dev/null; then
			tail -n 30 "$4" >&2
			die "$3 did not answer 200 on $1"
		fi
		sleep 0.2
	done
}

# bench_daemon_start NAME LOG PORT [OPTION...]: one boxofficed on the stack,
# listening on 127.0.0.1:PORT with warn logs, rate limits off and OPTIONs,
# output in LOG; appended to PIDS and waited for until /healthz answers 200.
bench_daemon_start() {
	local name=$1 log=$2 port=$3
	shift 3
	(
		export BOXOFFICE_DB_URL="mysql://boxoffice:$MYSQL_PASSWORD@127.0.0.1:$MYSQL_PORT/boxoffice"
		export BOXOFFICE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
		export BOXOFFICE_JWT_SECRET=$JWT_SECRET BOXOFFICE_PAY_SECRET=$PAY_SECRET
		export BOXOFFICE_BOOTSTRAP_ADMIN="$ADMIN_MOBILE:$ADMIN_PASSWORD"
		exec "$BIN" --listen "127.0.0.1:$port" "$@" --log_level warn --rate_limits 0
	) </dev/null >"$log" 2>&1 &
	PIDS+=("$!")
	wait_http "http://127.0.0.1:$port/healthz" "${PIDS[-1]}" "$name" "$log"
}

# median N... / range N...: the median (the lower of the middle two) and
# "lo–hi" of numbers, for the reports of interleaved rounds.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {print lo "–" hi}'; }

# ms MICROSECONDS: in milliseconds, two decimals.
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
# field LINE KEY: the value of KEY=VALUE in a RESULT line of bench/*.lua.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

# bench_report_facts PATH...: DATE, COMMIT (marked when PATHs have
# uncommitted changes), CPU and MEM for the report's header.
bench_report_facts() {
	DATE=$(date -u +%F)
	COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$REPO" diff --quiet HEAD -- "$@" 2>/dev/null || COMMIT="$COMMIT (with uncommitted changes)"
	CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
}

# bench_report_head TITLE: the report's title, command and the first two
# lines of its "Machine" section (bench_report_facts first).
bench_report_head() {
	echo "# $1 ($DATE)"
	echo
	echo "Command: \`$CMDLINE\` (commit $COMMIT), finished $(date -u '+%F %T') UTC."
	echo
	echo "## Machine"
	echo
	echo "- CPU: ${CPU:-unknown}, $(nproc) cores online; memory $MEM"
	echo "- $(uname -sr), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
}

# bench_perf FILE TITLE DAEMON_PID CMD...: run CMD (one more run of a row)
# under a system-wide `perf record -a -g` for DURATION seconds (root) and
# write to FILE the CPU samples per process and the hottest symbols of the
# daemon (DAEMON_PID) and of the engines beside it. CMD's output goes to
# the file too, so the profile says what the run did.
bench_perf() {
	local file=$1 title=$2 pid=$3 perf_pid line comm unit
	shift 3
	say "profile: one more run under perf record -a"
	[ -z "${REDIS_PORT:-}" ] || redis-cli -p "$REDIS_PORT" INFO commandstats >"$WORK/cmdstats.before"
	[ -z "${URL:-}" ] || curl -s "$URL/metrics" >"$WORK/metrics.before"
	perf record -a -g -F 499 -o "$WORK/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
	perf_pid=$!
	line=$("$@")
	wait "$perf_pid" || true
	[ -z "${REDIS_PORT:-}" ] || redis-cli -p "$REDIS_PORT" INFO commandstats >"$WORK/cmdstats.after"
	[ -z "${URL:-}" ] || curl -s "$URL/metrics" >"$WORK/metrics.after"
	report() { perf report -i "$WORK/perf.data" --stdio --no-children -g none "$@" 2>/dev/null |
		grep -v '^#' | grep -v '^$' || true; }
	{
		echo "# perf of $title ($DATE, commit $COMMIT, load $(cut -d' ' -f1-3 /proc/loadavg))"
		echo "# $line"
		echo "## CPU samples by process"
		report --sort pid | head -12
		echo "## CPU samples by thread (the daemon's are named bo-*, its loop 0 is boxofficed)"
		report --sort comm | head -30
		echo "## boxofficed: hottest symbols"
		report --pid "$pid" --sort dso,symbol | head -40
		if [ -n "${REDIS_PORT:-}" ]; then
			unit=orders
			[ -n "$(field "$(tail -n1 <<<"$line")" orders)" ] || unit=holds
			echo "## Redis commands during the run, per one of its $unit (INFO commandstats)"
			tr -d '\r' <"$WORK/cmdstats.before" >"$WORK/cmdstats.b"
			tr -d '\r' <"$WORK/cmdstats.after" >"$WORK/cmdstats.a"
			awk -F'[:=,]' -v n="$(field "$(tail -n1 <<<"$line")" "$unit")" '
				!/^cmdstat_/ { next }
				FNR == NR { before[$1] = $3; next }
				{ d = $3 - before[$1]; if (d > 0) { t += d
					printf "    %-26s %9d  %6.2f\n", substr($1, 9), d, n ? d / n : 0 } }
				END { printf "    %-26s %9d  %6.2f\n", "(all)", t, n ? t / n : 0 }' \
				"$WORK/cmdstats.b" "$WORK/cmdstats.a" | sort -k2 -n -r
		fi
		if [ -n "${URL:-}" ]; then
			echo "## The daemon's Kafka consumer during the run (/metrics, after - before)"
			awk '!/^boxoffice_kafka_consumer_[a-z_]*_total /{ next }
				FNR == NR { b[$1] = $2; next }
				{ printf "    %-52s %12.3f\n", $1, $2 - b[$1] }' \
				"$WORK/metrics.before" "$WORK/metrics.after"
		fi
		for comm in redis-server mariadbd kbroker; do
			echo "## $comm: hottest symbols"
			report --comm "$comm" --sort dso,symbol | head -15
		done
	} >"$file"
}
