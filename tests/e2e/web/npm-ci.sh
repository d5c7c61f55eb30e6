#!/bin/sh
# npm-ci.sh DIR: install playwright-core from this folder's lock file into
# DIR (the build dir's e2e-web/) with `npm ci`; the web tests load it from
# there. Run by ctest as the fixture web_npm before the web_* tests.
set -eu
here=$(dirname "$(readlink -f "$0")")
dir=$1
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
test -x /usr/bin/chromium || {
	echo "npm-ci.sh: /usr/bin/chromium missing: run packaging/install-deps.sh" >&2
	exit 1
}
node -e 'require("playwright-core")' && echo "npm-ci.sh: playwright-core ready in $dir"
