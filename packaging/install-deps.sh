#!/bin/sh
# Installs the Debian packages boxoffice needs to build, run and test.
# Safe to run again: apt-get skips what is already installed.
set -eu
PKGS="build-essential cmake pkg-config git ca-certificates curl
 libwebsockets-dev libcjson-dev libhiredis-dev libmariadb-dev librdkafka-dev
 libncurses-dev libcurl4-openssl-dev libcmocka-dev libargon2-dev libssl-dev
 libqrencode-dev mariadb-server mariadb-client redis-server redis-tools
 tmux kcat wrk python3 clang-format
 clang
 debhelper devscripts fakeroot dpkg-dev
 chromium fonts-wqy-microhei"
# The web tests need node and npm: Debian's nodejs and npm, unless a node
# that brings its own npm is installed already (its nodejs package
# conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
