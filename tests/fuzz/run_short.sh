#!/bin/sh
# run_short.sh SRC_DIR WORK_DIR [SECONDS]: build the HTTP and WebSocket
# harnesses with clang and run each for SECONDS (default 15) from the
# committed seeds. ctest runs it as fuzz_short; exit 77 (skipped) only when
# clang is missing (packaging/install-deps.sh installs it).
set -eu
src=$1 work=$2 secs=${3:-15}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz_short: SKIPPED: clang is not installed (packaging/install-deps.sh installs it)"
	exit 77
fi
mkdir -p "$work"
cjson=$(pkg-config --cflags --libs libcjson)
flags="-g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined"
# shellcheck disable=SC2086
clang $flags -I "$src/server" "$src/tests/fuzz/fuzz_http.c" "$src/server/http/http_parse.c" \
	-o "$work/fuzz_http"
# shellcheck disable=SC2086
clang $flags -I "$src/server" -I "$src/protocol" "$src/tests/fuzz/fuzz_ws.c" \
	"$src/server/ws/ws_frame.c" "$src"/protocol/proto_*.c $cjson -o "$work/fuzz_ws"
for h in fuzz_http fuzz_ws; do
	rm -rf "$work/corpus_$h"
	mkdir -p "$work/corpus_$h"
	(cd "$work" && "./$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "corpus_$h" "$src/tests/fuzz/corpus/$h" 2>&1 | tail -n 8)
done
