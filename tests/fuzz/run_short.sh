#!/bin/sh
# run_short.sh SRC_DIR WORK_DIR [SECONDS]: build the harnesses with clang and
# run each from the committed seeds: fuzz_http and fuzz_ws for SECONDS
# (default 15), fuzz_router, fuzz_paycb and fuzz_seatpick for SECONDS / 3
# (at least 3). ctest runs it as fuzz_short; a crash, a sanitizer report or a
# broken invariant fails it (the input is kept in WORK_DIR). Exit 77
# (skipped) only when clang is missing (packaging/install-deps.sh installs it).
set -eu
src=$1 work=$2 secs=${3:-15}
short=$((secs / 3))
[ "$short" -ge 3 ] || short=3
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz_short: SKIPPED: clang is not installed (packaging/install-deps.sh installs it)"
	exit 77
fi
mkdir -p "$work"
cjson=$(pkg-config --cflags --libs libcjson)
crypto=$(pkg-config --cflags --libs libcrypto)
flags="-g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined"
f=$src/tests/fuzz
# pkg-config's flags are split into words on purpose below.
# shellcheck disable=SC2086
# build NAME SOURCES...: compile one harness in the background (built waits)
pids=""
build() {
	name=$1
	shift
	# shellcheck disable=SC2086
	clang $flags -I "$src/server" -I "$src/protocol" "$f/$name.c" "$@" -o "$work/$name" &
	pids="$pids $!"
}
built() {
	for p in $pids; do
		wait "$p" || {
			echo "fuzz_short: FAILED: a harness did not compile"
			exit 1
		}
	done
	pids=""
}
build fuzz_http "$src/server/http/http_parse.c"
build fuzz_ws "$src/server/ws/ws_frame.c" "$src"/protocol/proto_*.c $cjson
built
build fuzz_router -DBOXOFFICE_VERSION='"fuzz"' "$src/server/svc/dispatch.c" "$src/server/cache/near.c" "$src/server/core/config.c" \
	"$src/server/core/log.c" "$src/server/core/trace.c" "$src/server/core/random.c" "$src/server/core/jwt.c" "$src/server/core/b64url.c" \
	"$src/server/core/jsonguard.c" "$src/server/core/metrics.c" "$src/server/core/clock.c" \
	"$src/server/core/req.c" "$src"/protocol/proto_*.c $cjson $crypto -lm -lpthread
build fuzz_paycb "$src/server/svc/pay_verify.c" "$src"/protocol/proto_*.c $cjson $crypto
build fuzz_seatpick "$src"/protocol/proto_*.c $cjson
built
for h in fuzz_http fuzz_ws fuzz_router fuzz_paycb fuzz_seatpick; do
	t=$short
	case $h in fuzz_http | fuzz_ws) t=$secs ;; esac
	rm -rf "$work/corpus_$h"
	mkdir -p "$work/corpus_$h"
	rc=0
	(cd "$work" && "./$h" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$h-" "corpus_$h" "$f/corpus/$h" \
		>"$h.log" 2>&1) || rc=$?
	if [ "$rc" != 0 ]; then
		echo "fuzz_short: $h FAILED (exit $rc); the input is $work/$h-crash-* (or -leak-, -timeout-):"
		tail -n 60 "$work/$h.log"
		exit 1
	fi
	echo "== $h: $t s"
	tail -n 6 "$work/$h.log"
done
