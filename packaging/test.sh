#!/usr/bin/env bash
# test.sh: build with AddressSanitizer/UBSan and -Werror into ./build-test and
# run every test (unit, integration against a private stack, end to end).
#
#   sudo packaging/test.sh
#
# FORMAT_CHECK=1 also runs the clang-format check (a failure then fails the
# run). CTEST_PARALLEL (default 2) sets ctest's -j. The exit code is ctest's.
#
#   packaging/test.sh --tsan
#
# builds with ThreadSanitizer instead into ./build-tsan and runs the unit and
# integration tests (tests/tsan/ says what is suppressed, and why).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

packaging/install-deps.sh

if [ "${1:-}" = --tsan ]; then
	cmake -S . -B build-tsan -DBOXOFFICE_TSAN=ON -DBOXOFFICE_WERROR=ON
	cmake --build build-tsan -j2
	cd build-tsan
	exec ctest --output-on-failure -j"${CTEST_PARALLEL:-2}" -L 'unit|integration'
fi

cmake -S . -B build-test -DBOXOFFICE_SANITIZE=ON -DBOXOFFICE_WERROR=ON
cmake --build build-test -j2

cd build-test
rc=0
ctest --output-on-failure -j"${CTEST_PARALLEL:-2}" || rc=$?
if [ "$rc" != 0 ] && [ -f teststack/daemon.log ]; then
	echo "---- last lines of build-test/teststack/daemon.log ----"
	tail -n 40 teststack/daemon.log
fi
cd ..
if [ "${FORMAT_CHECK:-0}" = 1 ]; then
	cmake --build build-test --target format-check || { [ "$rc" != 0 ] || rc=1; }
fi
exit $rc
