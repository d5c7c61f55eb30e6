#!/usr/bin/env bash
# tests/stack.sh: the test stack of the ctest fixtures, on packaging/stack.sh.
#
#   tests/stack.sh start DIR BOXOFFICED   wipe DIR, start MariaDB, Redis, the
#                                         SMTP/SMS sinks and the daemon on free
#                                         ports, with fast test settings
#   tests/stack.sh stop DIR               stop it all; fails when the daemon did
#                                         not exit 0 or a sanitizer reported in
#                                         its log
#                                         (BOXOFFICE_TEST_REDIS=cluster: a Redis
#                                         Cluster of three masters;
#                                         BOXOFFICE_TEST_DAEMONS=2: two daemons;
#                                         BOXOFFICE_TEST_KAFKA=external: kbroker
#                                         named in kafka_brokers)
#   tests/stack.sh SUBCOMMAND DIR         any other packaging/stack.sh command
#                                         (redis-stop, redis-start, daemon-stop,
#                                         daemon-start, status, ...) with the
#                                         same test settings
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
STACK=$HERE/../packaging/stack.sh

[ $# -ge 2 ] || {
	sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}
cmd=$1
dir=$2
shift 2

# Test settings: free ports, the sinks (collecting the daemon's spans too:
# it_trace), and cheap password hashes so the suite stays fast under
# AddressSanitizer.
export PICK_PORTS=1 SINKS=1 TRACES=1
export BOXOFFICE_ARGON2_MEMORY_KIB=${BOXOFFICE_ARGON2_MEMORY_KIB:-4096}
export BOXOFFICE_ARGON2_ITERATIONS=${BOXOFFICE_ARGON2_ITERATIONS:-1}
export BOXOFFICE_LOG_LEVEL=${BOXOFFICE_LOG_LEVEL:-info}
# Two loops at least, each with a WebSocket hub of its own, also on a
# one-core machine: it_trace checks that an order is still one push.
export BOXOFFICE_LOOPS=${BOXOFFICE_LOOPS:-2}
# it_edge.c counts on this deadline (REQ_TIMEOUT_S).
export BOXOFFICE_REQUEST_TIMEOUT=${BOXOFFICE_REQUEST_TIMEOUT:-6}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export DAEMON_WAIT=${DAEMON_WAIT:-180}
# BOXOFFICE_TEST_REDIS=cluster: Redis is a three-master Redis Cluster;
# BOXOFFICE_TEST_DAEMONS=2: two daemons share the stack (the harness sends
# requests to each in turn). Both only matter when the stack is made.
if [ "${BOXOFFICE_TEST_REDIS:-}" = cluster ]; then export REDIS_CLUSTER=1; fi
if [ -n "${BOXOFFICE_TEST_DAEMONS:-}" ]; then export DAEMONS=$BOXOFFICE_TEST_DAEMONS; fi
# BOXOFFICE_TEST_KAFKA=external: the daemons reach kbroker through
# kafka_brokers, as they would reach an operator's Kafka.
if [ "${BOXOFFICE_TEST_KAFKA:-}" = external ]; then export KAFKA_EXTERNAL=1; fi

# A sanitizer or UBSan report in the daemon's (or kbroker's) log fails the
# run even when the process itself carried on.
sanitizer_check() {
	local log rc=0
	for log in "$1/daemon.log" "$1/daemon-2.log" "$1/kbroker.log"; do
		[ -f "$log" ] || continue
		if grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$log"; then
			echo "tests/stack.sh: sanitizer report in $log:" >&2
			grep -E -A 40 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$log" | head -n 120 >&2
			rc=1
		fi
	done
	return $rc
}

case $cmd in
start)
	[ $# -ge 1 ] || {
		echo "tests/stack.sh: start needs DIR and the boxofficed binary" >&2
		exit 2
	}
	bin=$1
	[ -x "$bin" ] || {
		echo "tests/stack.sh: boxofficed binary '$bin' not found or not executable" >&2
		exit 1
	}
	# A stack left over by an aborted run goes first: every run starts clean.
	# Only a folder this script made (its marker, or a stack's ports file) is
	# ever wiped, so a wrong DIR cannot delete anything else.
	if [ -d "$dir" ]; then
		if [ ! -f "$dir/.boxoffice-teststack" ] && [ ! -f "$dir/ports" ] && [ -n "$(ls -A "$dir")" ]; then
			echo "tests/stack.sh: '$dir' exists and is not a test stack; refusing to wipe it" >&2
			exit 1
		fi
		"$STACK" down "$dir" >/dev/null 2>&1 || true
		rm -rf "$dir"
	fi
	mkdir -p "$dir"
	echo "made by tests/stack.sh; wiped by its next start" >"$dir/.boxoffice-teststack"
	BOXOFFICED=$bin "$STACK" up "$dir"
	# External Kafka: no daemon may have fallen back to a broker of its own
	# or to the broker file.
	if [ "${KAFKA_EXTERNAL:-0}" = 1 ] &&
		grep -h 'embedded kafka' "$dir"/daemon.log "$dir"/daemon-2.log 2>/dev/null; then
		echo "tests/stack.sh: KAFKA_EXTERNAL=1 but a daemon used the embedded broker" >&2
		exit 1
	fi
	;;
stop)
	rc=0
	"$STACK" down "$dir" || rc=1
	sanitizer_check "$dir" || rc=1
	exit $rc
	;;
*)
	exec "$STACK" "$cmd" "$dir" "$@"
	;;
esac
