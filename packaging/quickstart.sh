#!/usr/bin/env bash
# quickstart.sh: install, build and run boxoffice on this machine.
#
#   sudo packaging/quickstart.sh [--no-client]
#
# Installs the Debian packages (packaging/install-deps.sh), builds a Release
# into ./build, starts a private MariaDB, Redis, mail/SMS sinks and
# boxofficed under ./var on loopback ports (packaging/stack.sh up ./var),
# loads the demo data once (packaging/demo.sql, when present), prints the URL
# and the admin's credentials, then opens the cashier client when it has been
# built and this is a terminal. Safe to run again: what runs is left alone.
# Stop everything with: packaging/stack.sh down ./var
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$(pwd)
client=1
for a in "$@"; do
	case $a in
	--no-client) client=0 ;;
	-h | --help)
		sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "quickstart: unknown argument '$a' (try --help)" >&2
		exit 2
		;;
	esac
done

packaging/install-deps.sh

echo "quickstart: building into ./build (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBOXOFFICE_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"

STACK=packaging/stack.sh
VAR=$ROOT/var
# The schema comes first so that the demo data lands before the daemon
# starts serving (and caching) anything.
"$STACK" mysql-start "$VAR"
"$STACK" migrate "$VAR" --build build
if [ -f packaging/demo.sql ] && [ ! -e "$VAR/demo-loaded" ]; then
	echo "quickstart: loading the demo data (packaging/demo.sql)"
	sock=$(sed -n 's/^MYSQL_SOCKET=//p' "$VAR/env")
	mariadb --no-defaults --socket="$sock" -uroot boxoffice <packaging/demo.sql
	date -u '+%F %T' >"$VAR/demo-loaded"
fi
"$STACK" up "$VAR" --build build

get() { sed -n "s/^$1=//p" "$VAR/env"; }
url=$(get BOXOFFICE_URL)
cat <<EOF

boxoffice is running.
  web page and API   $url/        (health: $url/healthz)
  admin login        mobile $(get ADMIN_MOBILE), password $(get ADMIN_PASSWORD)
  mail / SMS codes   $(get MAIL_DIR)/  $(get SMS_DIR)/
  daemon log         $(get DAEMON_LOG)
  everything else    $VAR/env
  status             packaging/stack.sh status ./var
  stop               packaging/stack.sh down ./var
EOF

tui=$ROOT/build/tui/boxoffice
if [ "$client" = 1 ] && [ -x "$tui" ] && [ -t 0 ] && [ -t 1 ]; then
	echo
	echo "quickstart: starting the cashier client (build/tui/boxoffice)"
	BOXOFFICE_URL=$url exec "$tui"
fi
