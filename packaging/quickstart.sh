#!/usr/bin/env bash
# quickstart.sh: install, build and run boxoffice on this machine.
#
#   packaging/quickstart.sh [--no-client]      (as root on a fresh Debian 12)
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

# A demo cashier, created once through the API as the admin (its password
# hash is Argon2id, so it cannot come from demo.sql). Kept in ./var/cashier.
CASHIER_MOBILE=13900000000
if [ ! -s "$VAR/cashier" ]; then
	cpass=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	# Bodies with passwords go on stdin (--data-binary @-), never on a command line.
	token=$(curl -sf -X POST "$url/admin/login" -H 'Content-Type: application/json' \
		--data-binary @- <<<"{\"mobile\":\"$(get ADMIN_MOBILE)\",\"password\":\"$(get ADMIN_PASSWORD)\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessToken"])') || token=
	if [ -n "$token" ] && curl -sf -X POST "$url/admin/register" \
		-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		--data-binary @- <<<"{\"name\":\"Demo Cashier\",\"gender\":0,\"mobile\":\"$CASHIER_MOBILE\",\"email\":\"cashier@boxoffice.invalid\",\"password\":\"$cpass\",\"role\":\"cashier\"}" \
		>/dev/null; then
		umask 077
		echo "$cpass" >"$VAR/cashier"
	else
		echo "quickstart: could not create the demo cashier (see $(get DAEMON_LOG))" >&2
	fi
fi
cat <<EOF

boxoffice is running.
  web page and API   $url/        (health: $url/healthz)
  admin login        mobile $(get ADMIN_MOBILE), password $(get ADMIN_PASSWORD)
  cashier login      mobile $CASHIER_MOBILE, password $(cat "$VAR/cashier" 2>/dev/null)
  payments (paysim)  $(get PAYSIM_URL)/  (sell a ticket: packaging/sell-demo.sh)
  mail / SMS codes   $(get MAIL_DIR)/  $(get SMS_DIR)/
  daemon log         $(get DAEMON_LOG)
  everything else    $VAR/env
  status             packaging/stack.sh status ./var
  stop               packaging/stack.sh down ./var
EOF

tui=$ROOT/build/tui/boxoffice
if [ "$client" = 1 ] && [ -x "$tui" ] && [ -t 0 ] && [ -t 1 ]; then
	# The client takes the whole terminal: the credentials above stay readable until Enter.
	echo
	read -r -p "quickstart: press Enter to open the cashier client (F10 quits it) " _ || true
	mkdir -p "$VAR/tickets"
	BOXOFFICE_URL=$url BOXOFFICE_MOBILE=$CASHIER_MOBILE BOXOFFICE_TICKET_DIR=$VAR/tickets \
		BOXOFFICE_LOG=$VAR/client.log exec "$tui"
fi
