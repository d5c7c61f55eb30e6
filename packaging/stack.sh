#!/usr/bin/env bash
# stack.sh: a private boxoffice stack under one folder, on loopback ports:
# MariaDB, Redis, the SMTP/SMS sinks, paysim (when built), kbroker (the
# embedded Kafka in its own process, when built) and boxofficed. No root-wide services, no systemd. Used by the
# quick start (packaging/quickstart.sh) and by the tests (tests/stack.sh).
#
#   stack.sh up DIR [--build BUILD_DIR]     start every part that is not running
#   stack.sh down DIR                       stop exactly what up started
#   stack.sh status DIR                     show each part; exit 0 when all run
#   stack.sh mysql-start|mysql-stop DIR     one part at a time (also redis-,
#   stack.sh redis-start|redis-stop DIR       sinks-, paysim-, kbroker-, daemon-)
#   stack.sh daemon-start|daemon-stop DIR [--build BUILD_DIR]
#   stack.sh migrate DIR [--build BUILD_DIR] run boxofficed --migrate on the stack
#   stack.sh daemon2-start|daemon2-stop DIR  the second daemon (DAEMONS=2)
#
# REDIS_CLUSTER=1 makes Redis a three-master Redis Cluster, DAEMONS=2 runs
# a second boxofficed beside the first, KAFKA_EXTERNAL=1 gives the daemons
# kbroker's address as kafka_brokers (packaging/stack-scale.sh).
#
# Ports come from MYSQL_PORT, REDIS_PORT, HTTP_PORT, SMTP_PORT, SMS_PORT,
# PAYSIM_PORT (defaults 33306 36379 8080 32525 38025 8090), or are picked free
# when PICK_PORTS=1. The chosen ports are kept in DIR/ports, so a part that is
# restarted comes back on the same port. Secrets are generated once into
# DIR/secrets. DIR/env lists everything a client or test needs (KEY=VALUE).
#
# The daemon binary: $BOXOFFICED, else BUILD_DIR/boxofficed, else the one
# remembered from an earlier start, else ./build/boxofficed of the repo.
# Every other BOXOFFICE_* variable in the environment reaches the daemon.
# Set SINKS=0 to run without the SMTP/SMS sinks (codes are then logged).
# Set TRACES=1 to have the sinks collect the daemon's spans (otlp_endpoint) in DIR/traces.jsonl.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
# Debian's python3 runs the sinks and picks ports (stdlib only).
PYTHON=${PYTHON:-python3}
if [ "$PYTHON" = python3 ] && [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; fi
ADMIN_MOBILE_DEFAULT=13800000000
MYSQL_WAIT=${MYSQL_WAIT:-60}
REDIS_WAIT=${REDIS_WAIT:-20}
DAEMON_WAIT=${DAEMON_WAIT:-120}
STOP_WAIT=${STOP_WAIT:-60}
# REDIS_CLUSTER=1 and DAEMONS=2: see stack-scale.sh.
# shellcheck source=packaging/stack-scale.sh
. "$REPO/packaging/stack-scale.sh"

say() { echo "stack: $*"; }
warn() { echo "stack: $*" >&2; }
die() {
	echo "stack: $*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -e/p' "$SELF" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'
	exit "${1:-2}"
}

# --- processes -----------------------------------------------------------

# pid_of FILE NAME: print the pid in FILE if that process is alive and its
# command line contains NAME (so a reused pid or a zombie does not count).
pid_of() {
	local f=$1 want=$2 pid
	[ -s "$f" ] || return 1
	pid=$(head -n1 "$f" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	alive "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$want" || return 1
	echo "$pid"
}

# alive PID: the process exists and is not a zombie (init may reap late).
alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	case ${st%% *} in Z | X | x) return 1 ;; esac
}

# wait_gone PID SECONDS: wait until PID has exited; 1 on timeout.
wait_gone() {
	local pid=$1 n=$(($2 * 10))
	while alive "$pid"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# stop_pid NAME PID: SIGTERM, wait, then SIGKILL as a last resort.
stop_pid() {
	local name=$1 pid=$2
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" "$STOP_WAIT"; then
		warn "$name (pid $pid) ignored SIGTERM for ${STOP_WAIT}s: killing it"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 10 || die "$name (pid $pid) does not die"
		return 1
	fi
}

tail_log() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f ----" >&2
		tail -n 30 "$f" >&2
		echo "----" >&2
	done
}

# running PIDFN NAME DETAIL: when PIDFN finds the part running, say so (pid,
# DETAIL) and succeed: its start function has nothing to do.
running() {
	local pid
	pid=$("$1") || return 1
	say "$2 already running (pid $pid, $3)"
}

# wait_ready NAME PID PIDFILE SECONDS LOG... -- CHECK...: run CHECK every
# 0.1 s until it succeeds. When PID exits first (PIDFILE goes with it) or
# SECONDS pass, show the last lines of the LOGs and die (saying WHY, when
# CHECK set it to what it saw).
wait_ready() {
	local name=$1 pid=$2 pidfile=$3 secs=$4 n=$(($4 * 10)) logs=()
	WHY=
	shift 4
	while [ "$1" != -- ]; do
		logs+=("$1")
		shift
	done
	shift
	until "$@"; do
		if ! alive "$pid"; then
			tail_log "${logs[@]}"
			rm -f "$pidfile"
			die "$name exited during start-up"
		fi
		n=$((n - 1))
		if [ "$n" -le 0 ]; then
			tail_log "${logs[@]}"
			die "$name not ready after ${secs}s (pid $pid${WHY:+; $WHY})"
		fi
		sleep 0.1
	done
}

# part_stop PIDFN NAME PIDFILE [FILE...]: stop the part PIDFN finds
# (stop_pid); PIDFILE goes, and the FILEs too when it was running.
part_stop() {
	local pidfn=$1 name=$2 pidfile=$3 pid
	shift 3
	pid=$("$pidfn") || {
		rm -f "$pidfile"
		return 0
	}
	stop_pid "$name" "$pid" || true
	rm -f "$pidfile" "$@"
	say "$name stopped"
}

# --- ports, secrets, paths -----------------------------------------------

# pick_ports N: print N distinct free loopback ports, taken below the kernel's
# ephemeral range so that no outgoing connection grabs one before its server
# binds it.
pick_ports() {
	"$PYTHON" - "$1" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
socks, ports = [], []
for _ in range(2000):
    if len(ports) == n or low <= 11000:
        break
    p = random.randrange(10000, low)
    if p in ports:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        s.close()
        continue
    socks.append(s)
    ports.append(p)
while len(ports) < n:  # fall back to the kernel's choice
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
    ports.append(s.getsockname()[1])
print(" ".join(map(str, ports)))
EOF
}

port_free() {
	"$PYTHON" - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# shellcheck disable=SC2317 # run by wait_ready too
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

need_free() { # PORT WHAT VAR
	port_free "$1" || die "port $1 for $2 is in use: set $3=<port>, or PICK_PORTS=1 (then \`$(basename "$SELF") down $D\` first if the stack runs)"
}

hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

kv_get() { # FILE KEY
	[ -f "$1" ] || return 0
	sed -n "s/^$2=//p" "$1" | tail -n1
}

PORT_VARS="MYSQL_PORT REDIS_PORT HTTP_PORT SMTP_PORT SMS_PORT PAYSIM_PORT"
port_default() {
	case $1 in
	MYSQL_PORT) echo 33306 ;; REDIS_PORT) echo 36379 ;; HTTP_PORT) echo 8080 ;;
	SMTP_PORT) echo 32525 ;; SMS_PORT) echo 38025 ;; PAYSIM_PORT) echo 8090 ;;
	esac
}
port_owner_running() { # VAR: is the part that uses this port running?
	case $1 in
	MYSQL_PORT) mysql_pid >/dev/null ;; REDIS_PORT) redis_pid >/dev/null ;;
	HTTP_PORT) daemon_pid >/dev/null ;; SMTP_PORT | SMS_PORT) sinks_pid >/dev/null ;;
	PAYSIM_PORT) paysim_pid >/dev/null ;;
	esac
}

# Ports: a running part keeps its port; otherwise an explicit environment
# value wins, then the saved one, then a free one (PICK_PORTS=1) or the default.
resolve_ports() {
	local v saved given picked=() i=0
	if [ "${PICK_PORTS:-0}" = 1 ]; then
		read -r -a picked <<<"$(pick_ports 6)"
	fi
	: >"$D/ports.tmp"
	for v in $PORT_VARS; do
		saved=$(kv_get "$D/ports" "$v")
		given=${!v:-}
		if [ -n "$saved" ] && port_owner_running "$v"; then
			[ -z "$given" ] || [ "$given" = "$saved" ] ||
				warn "$v=$given ignored: the running part uses $saved"
			given=$saved
		elif [ -z "$given" ]; then
			if [ -n "$saved" ]; then
				given=$saved
			elif [ "${PICK_PORTS:-0}" = 1 ]; then
				given=${picked[$i]}
			else
				given=$(port_default "$v")
			fi
		fi
		[[ $given =~ ^[0-9]+$ ]] || die "$v must be a port number, not '$given'"
		printf -v "$v" '%s' "$given"
		echo "$v=$given" >>"$D/ports.tmp"
		i=$((i + 1))
	done
	mv "$D/ports.tmp" "$D/ports"
}

load_ports() {
	local v
	[ -f "$D/ports" ] || resolve_ports
	for v in $PORT_VARS; do
		printf -v "$v" '%s' "$(kv_get "$D/ports" "$v")"
	done
}

# Secrets are made once; an ADMIN_PASSWORD given on the first run is kept.
load_secrets() {
	local f=$D/secrets k v
	umask 077
	touch "$f"
	for k in JWT_SECRET PAY_SECRET MYSQL_PASSWORD ADMIN_PASSWORD; do
		v=$(kv_get "$f" "$k")
		if [ -z "$v" ]; then
			case $k in
			JWT_SECRET | PAY_SECRET) v=$(hex 32) ;;
			MYSQL_PASSWORD) v=$(hex 16) ;;
			ADMIN_PASSWORD) v=${ADMIN_PASSWORD:-$(hex 8)} ;;
			esac
			echo "$k=$v" >>"$f"
		elif [ "$k" = ADMIN_PASSWORD ] && [ -n "${ADMIN_PASSWORD:-}" ] && [ "$ADMIN_PASSWORD" != "$v" ]; then
			warn "ADMIN_PASSWORD ignored: the admin was set up with the one in $f"
		fi
		printf -v "S_$k" '%s' "$v"
	done
	umask 022
}

set_paths() {
	mkdir -p "$1"
	D=$(cd "$1" && pwd)
	MYSQL_DIR=$D/mysql
	MYSQL_SOCKET=$MYSQL_DIR/mysqld.sock
	# A unix socket path must fit in 108 bytes.
	if [ "${#MYSQL_SOCKET}" -gt 100 ]; then
		MYSQL_SOCKET=/tmp/boxoffice-mysql-$(echo "$D" | md5sum | cut -c1-12).sock
	fi
	REDIS_DIR=$D/redis
	MAIL_DIR=$D/mail
	SMS_DIR=$D/sms
	DAEMON_LOG=$D/daemon.log
	ADMIN_MOBILE=${ADMIN_MOBILE:-$ADMIN_MOBILE_DEFAULT}
}

# Lock the folder so two stack.sh runs on it do not interleave. Children
# never inherit the lock's descriptor (each launch closes fd 9).
lock_dir() {
	exec 9>"$D/.lock"
	flock -w 300 9 || die "another stack.sh holds $D/.lock"
}

mysql_pid() { pid_of "$MYSQL_DIR/mysqld.pid" mariadbd; }
redis_pid() { pid_of "$REDIS_DIR/redis.pid" redis-server; }
sinks_pid() { pid_of "$D/sinks.pid" sinks.py; }
paysim_pid() { pid_of "$D/paysim.pid" paysim; }
daemon_pid() { pid_of "$D/daemon$DSUF.pid" boxofficed; }
kbroker_pid() { pid_of "$D/kbroker.pid" kbroker; }

# --- MariaDB -------------------------------------------------------------

mysql_admin() { mariadb-admin --no-defaults --socket="$MYSQL_SOCKET" -uroot "$@"; }
mysql_root() { mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot "$@"; }
# shellcheck disable=SC2317 # run by wait_ready
mysql_up() { mysql_admin ping >/dev/null 2>&1; }

mysql_start() {
	local pid mariadbd
	running mysql_pid mariadb "port $MYSQL_PORT" && return 0
	mariadbd=/usr/sbin/mariadbd
	[ -x "$mariadbd" ] || mariadbd=$(command -v mariadbd) ||
		die "mariadbd not found: run packaging/install-deps.sh (package mariadb-server)"
	mkdir -p "$MYSQL_DIR"
	if [ ! -d "$MYSQL_DIR/data/mysql" ]; then
		rm -rf "$MYSQL_DIR/data"
		mkdir -p "$MYSQL_DIR/data"
		if ! mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --user="$(id -un)" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$MYSQL_DIR/install.log" 2>&1; then
			tail_log "$MYSQL_DIR/install.log"
			die "mariadb-install-db failed in $MYSQL_DIR/data"
		fi
	fi
	need_free "$MYSQL_PORT" mariadb MYSQL_PORT
	rm -f "$MYSQL_SOCKET"
	setsid "$mariadbd" --no-defaults --user="$(id -un)" \
		--datadir="$MYSQL_DIR/data" --socket="$MYSQL_SOCKET" \
		--port="$MYSQL_PORT" --bind-address=127.0.0.1 \
		--pid-file="$MYSQL_DIR/mysqld.pid" --log-error="$MYSQL_DIR/mysqld.err" \
		--innodb-buffer-pool-size=64M --innodb-log-file-size=16M --skip-log-bin \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		</dev/null >>"$MYSQL_DIR/mysqld.out" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$MYSQL_DIR/mysqld.pid"
	wait_ready mariadb "$pid" "$MYSQL_DIR/mysqld.pid" "$MYSQL_WAIT" \
		"$MYSQL_DIR/mysqld.err" "$MYSQL_DIR/mysqld.out" -- mysql_up
	local pw=$S_MYSQL_PASSWORD h sql
	sql="CREATE DATABASE IF NOT EXISTS boxoffice CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
	for h in localhost 127.0.0.1 %; do
		sql="$sql CREATE USER IF NOT EXISTS 'boxoffice'@'$h' IDENTIFIED BY '$pw';"
		sql="$sql ALTER USER 'boxoffice'@'$h' IDENTIFIED BY '$pw';"
		sql="$sql GRANT ALL PRIVILEGES ON boxoffice.* TO 'boxoffice'@'$h';"
	done
	# On stdin, not -e: the password must not show in ps.
	printf '%s\n' "$sql" | mysql_root || die "cannot create database 'boxoffice' and its user"
	say "mariadb ready (pid $pid, port $MYSQL_PORT, socket $MYSQL_SOCKET)"
}

mysql_stop() {
	local pid
	pid=$(mysql_pid) || {
		rm -f "$MYSQL_DIR/mysqld.pid"
		return 0
	}
	mysql_admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
	# Never return while mariadbd still holds the datadir (feasibility.md section 1).
	stop_pid mariadb "$pid" || true
	rm -f "$MYSQL_DIR/mysqld.pid"
	say "mariadb stopped"
}

# --- Redis ---------------------------------------------------------------

# shellcheck disable=SC2317 # run by wait_ready
redis_up() { redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_start() {
	local pid
	if scale_cluster; then
		cluster_start
		return
	fi
	running redis_pid redis "port $REDIS_PORT" && return 0
	command -v redis-server >/dev/null || die "redis-server not found: run packaging/install-deps.sh"
	mkdir -p "$REDIS_DIR"
	need_free "$REDIS_PORT" redis REDIS_PORT
	setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$REDIS_DIR" --daemonize no --logfile "$REDIS_DIR/redis.log" \
		--pidfile "$REDIS_DIR/redis.pid" \
		</dev/null >>"$REDIS_DIR/redis.out" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$REDIS_DIR/redis.pid"
	wait_ready redis-server "$pid" "$REDIS_DIR/redis.pid" "$REDIS_WAIT" \
		"$REDIS_DIR/redis.log" "$REDIS_DIR/redis.out" -- redis_up
	say "redis ready (pid $pid, port $REDIS_PORT)"
}

redis_stop() {
	local pid
	if scale_cluster; then
		cluster_stop
		return
	fi
	pid=$(redis_pid) || {
		rm -f "$REDIS_DIR/redis.pid"
		return 0
	}
	redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
	stop_pid redis "$pid" || true
	rm -f "$REDIS_DIR/redis.pid"
	say "redis stopped"
}

# --- SMTP/SMS sinks ------------------------------------------------------

sinks_wanted() { [ "${SINKS:-1}" != 0 ] && [ -f "$REPO/tests/sinks.py" ]; }

sinks_start() {
	local pid
	running sinks_pid sinks "smtp $SMTP_PORT, sms $SMS_PORT" && return 0
	[ -f "$REPO/tests/sinks.py" ] || die "$REPO/tests/sinks.py not found"
	need_free "$SMTP_PORT" "the smtp sink" SMTP_PORT
	need_free "$SMS_PORT" "the sms sink" SMS_PORT
	mkdir -p "$MAIL_DIR" "$SMS_DIR"
	rm -f "$D/sinks.pid"
	setsid "$PYTHON" "$REPO/tests/sinks.py" --smtp-port "$SMTP_PORT" --http-port "$SMS_PORT" \
		--mail-dir "$MAIL_DIR" --sms-dir "$SMS_DIR" --pid-file "$D/sinks.pid" \
		--traces-file "$D/traces.jsonl" \
		</dev/null >>"$D/sinks.log" 2>&1 9>&- &
	pid=$!
	wait_ready "the sinks" "$pid" "$D/sinks.pid" 10 "$D/sinks.log" -- test -s "$D/sinks.pid"
	say "sinks ready (pid $pid, smtp $SMTP_PORT -> $MAIL_DIR, sms $SMS_PORT -> $SMS_DIR)"
}

sinks_stop() { part_stop sinks_pid sinks "$D/sinks.pid"; }

# --- boxofficed ----------------------------------------------------------

# find_bin [BUILD_DIR]: the daemon binary (see the header), remembered in DIR.
find_bin() {
	local b=${BOXOFFICED:-}
	if [ -z "$b" ] && [ -n "${BUILD:-}" ]; then b=$BUILD/boxofficed; fi
	if [ -z "$b" ] && [ -s "$D/boxofficed.path" ]; then b=$(cat "$D/boxofficed.path"); fi
	[ -n "$b" ] || b=$REPO/build/boxofficed
	if [ ! -x "$b" ]; then
		die "boxofficed not found at '$b': build it first (cmake -S $REPO -B $REPO/build && cmake --build $REPO/build), or pass --build BUILD_DIR or BOXOFFICED=path"
	fi
	b=$(readlink -f "$b")
	echo "$b" >"$D/boxofficed.path"
	echo "$b"
}

# find_tool NAME [PATH]: PATH when given and executable, else the tool NAME
# built beside the daemon (BUILD_DIR/tools/NAME or BUILD_DIR/NAME); 1 if none.
find_tool() {
	local b c
	b=$(dirname "$(find_bin 2>/dev/null || echo "$REPO/build/boxofficed")")
	for c in "${2:-}" "$b/tools/$1" "$b/$1"; do
		[ -n "$c" ] && [ -x "$c" ] && {
			echo "$c"
			return 0
		}
	done
	return 1
}

# The daemon's settings. BOXOFFICE_* given by the caller pass through.
daemon_env() {
	export BOXOFFICE_LISTEN="127.0.0.1:$HTTP_PORT"
	export BOXOFFICE_DB_URL="mysql://boxoffice:$S_MYSQL_PASSWORD@127.0.0.1:$MYSQL_PORT/boxoffice"
	BOXOFFICE_REDIS_URL=$(scale_redis_url)
	export BOXOFFICE_REDIS_URL
	export BOXOFFICE_JWT_SECRET="$S_JWT_SECRET"
	export BOXOFFICE_PAY_SECRET="$S_PAY_SECRET"
	export BOXOFFICE_KAFKA_BOOTSTRAP_FILE="$D/kafka_bootstrap$DSUF"
	# The embedded broker runs in its own process when it is up (kbroker);
	# KAFKA_EXTERNAL=1 names it in kafka_brokers, as an external broker.
	if [ -z "${BOXOFFICE_KAFKA_BROKERS:-}" ] && kbroker_pid >/dev/null; then
		if scale_kafka_external; then
			BOXOFFICE_KAFKA_BROKERS=$(head -n1 "$D/kbroker.addr")
			[ -n "$BOXOFFICE_KAFKA_BROKERS" ] || die "KAFKA_EXTERNAL=1: no address in $D/kbroker.addr"
			export BOXOFFICE_KAFKA_BROKERS
		else
			export BOXOFFICE_KAFKA_BROKER_FILE="$D/kbroker.addr"
		fi
	fi
	export BOXOFFICE_BOOTSTRAP_ADMIN="$ADMIN_MOBILE:$S_ADMIN_PASSWORD"
	export BOXOFFICE_PAYSIM_URL="http://127.0.0.1:$PAYSIM_PORT"
	if sinks_pid >/dev/null; then
		export BOXOFFICE_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
		export BOXOFFICE_SMS_URL="http://127.0.0.1:$SMS_PORT/sms"
		# TRACES=1: the sinks collect the daemon's spans (OTLP/HTTP JSON) in DIR/traces.jsonl.
		if [ "${TRACES:-0}" = 1 ] && [ -z "${BOXOFFICE_OTLP_ENDPOINT:-}" ]; then
			export BOXOFFICE_OTLP_ENDPOINT="http://127.0.0.1:$SMS_PORT"
		fi
	fi
	if [ -z "${BOXOFFICE_WEB_ROOT:-}" ] && [ -d "$REPO/server/web" ]; then
		export BOXOFFICE_WEB_ROOT="$REPO/server/web"
	fi
}

healthz_code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$HTTP_PORT/healthz" 2>/dev/null || true
}

# daemon_up: /healthz answers 200. The daemon's exit during start-up (its
# status in daemon.exit, written by the wrapper) ends the start at once.
# shellcheck disable=SC2317 # run by wait_ready
daemon_up() {
	local code
	code=$(healthz_code)
	[ "$code" != 200 ] || return 0
	if [ -s "$D/daemon$DSUF.exit" ]; then
		tail_log "$DAEMON_LOG"
		die "boxofficed exited during start-up with status $(cat "$D/daemon$DSUF.exit") (log: $DAEMON_LOG)"
	fi
	WHY="last /healthz status: ${code:-none}; log: $DAEMON_LOG"
	return 1
}

daemon_start() {
	local pid bin n
	if pid=$(daemon_pid); then
		say "boxofficed already running (pid $pid, $BOXOFFICE_URL)"
		return 0
	fi
	bin=$(find_bin)
	mysql_pid >/dev/null || die "mariadb is not running: start it first (stack.sh mysql-start $D)"
	redis_pid >/dev/null || die "redis is not running: start it first (stack.sh redis-start $D)"
	need_free "$HTTP_PORT" boxofficed HTTP_PORT
	rm -f "$D/kafka_bootstrap$DSUF" "$D/daemon$DSUF.exit" "$D/daemon$DSUF.pid"
	echo "==== $(date -u '+%F %T') starting $bin" >>"$DAEMON_LOG"
	# A small shell waits for the daemon so that its exit status is kept
	# (daemon.exit): daemon-stop reports a daemon that does not exit 0.
	(
		daemon_env
		exec setsid bash -c '"$1" & echo $! >"$2"; wait $!; echo $? >"$3"' \
			boxofficed-wrapper "$bin" "$D/daemon$DSUF.pid" "$D/daemon$DSUF.exit" \
			</dev/null >>"$DAEMON_LOG" 2>&1 9>&-
	) &
	wait_ready boxofficed $! "$D/daemon$DSUF.pid" "$DAEMON_WAIT" "$DAEMON_LOG" -- daemon_up
	pid=$(daemon_pid) || die "boxofficed answers but its pid file $D/daemon$DSUF.pid is missing"
	KAFKA_BOOTSTRAP=${BOXOFFICE_KAFKA_BROKERS:-}
	if [ -z "$KAFKA_BOOTSTRAP" ]; then
		n=100
		until [ -s "$D/kafka_bootstrap$DSUF" ] || [ "$n" -le 0 ]; do
			n=$((n - 1))
			sleep 0.1
		done
		KAFKA_BOOTSTRAP=$(head -n1 "$D/kafka_bootstrap$DSUF" 2>/dev/null || true)
		[ -n "$KAFKA_BOOTSTRAP" ] || warn "boxofficed wrote no Kafka address to $D/kafka_bootstrap$DSUF"
	fi
	say "boxofficed ready (pid $pid, $BOXOFFICE_URL, kafka ${KAFKA_BOOTSTRAP:-?})"
}

# Returns 1 when the daemon did not exit 0 (now or in an earlier crash).
daemon_stop() {
	local pid st n
	if pid=$(daemon_pid); then
		kill -TERM "$pid" 2>/dev/null || true
		n=$((STOP_WAIT * 10))
		until [ -s "$D/daemon$DSUF.exit" ] || ! alive "$pid"; do
			n=$((n - 1))
			if [ "$n" -le 0 ]; then
				warn "boxofficed (pid $pid) did not stop within ${STOP_WAIT}s of SIGTERM: killing it"
				kill -KILL "$pid" 2>/dev/null || true
				wait_gone "$pid" 10 || true
				rm -f "$D/daemon$DSUF.pid"
				return 1
			fi
			sleep 0.1
		done
		# the wrapper writes the status right after the daemon is reaped
		n=50
		until [ -s "$D/daemon$DSUF.exit" ] || [ "$n" -le 0 ]; do
			n=$((n - 1))
			sleep 0.1
		done
	fi
	rm -f "$D/daemon$DSUF.pid"
	[ -s "$D/daemon$DSUF.exit" ] || return 0
	st=$(cat "$D/daemon$DSUF.exit")
	mv -f "$D/daemon$DSUF.exit" "$D/daemon$DSUF.exit.seen"
	if [ "$st" != 0 ]; then
		tail_log "$DAEMON_LOG"
		warn "boxofficed exited with status $st (log: $DAEMON_LOG)"
		return 1
	fi
	say "boxofficed stopped (exit 0)"
}

daemon_migrate() {
	local bin
	bin=$(find_bin)
	mysql_pid >/dev/null || die "mariadb is not running: start it first (stack.sh mysql-start $D)"
	(
		daemon_env
		"$bin" --migrate
	) || die "boxofficed --migrate failed"
}

# --- paysim (optional: started only when it has been built) ------------------

paysim_start() {
	local pid bin
	running paysim_pid paysim "port $PAYSIM_PORT" && return 0
	bin=$(find_tool paysim "${PAYSIM:-}") || {
		say "paysim not built: skipped"
		return 0
	}
	need_free "$PAYSIM_PORT" paysim PAYSIM_PORT
	(
		export PAYSIM_LISTEN="127.0.0.1:$PAYSIM_PORT"
		export PAYSIM_CALLBACK_URL="http://127.0.0.1:$HTTP_PORT/pay/callback"
		export PAYSIM_SECRET="$S_PAY_SECRET"
		exec setsid "$bin" </dev/null >>"$D/paysim.log" 2>&1 9>&-
	) &
	pid=$!
	echo "$pid" >"$D/paysim.pid"
	wait_ready paysim "$pid" "$D/paysim.pid" 10 "$D/paysim.log" -- port_open "$PAYSIM_PORT"
	say "paysim ready (pid $pid, http://127.0.0.1:$PAYSIM_PORT)"
}

# --- kbroker: the embedded Kafka broker in its own process ---------------
# Messages the daemon acknowledged survive a crash of the daemon (they live
# here, in memory). Skipped when BOXOFFICE_KAFKA_BROKERS names a real
# cluster, when KBROKER=0, or when it is not built (the daemon then runs the
# broker inside itself).

kbroker_start() {
	local pid bin
	[ -z "${BOXOFFICE_KAFKA_BROKERS:-}" ] && [ "${KBROKER:-1}" != 0 ] || return 0
	running kbroker_pid kbroker "$(head -n1 "$D/kbroker.addr" 2>/dev/null)" && return 0
	bin=$(find_tool kbroker "${KBROKER_BIN:-}") || {
		say "kbroker not built: the daemon runs its broker inside itself"
		return 0
	}
	rm -f "$D/kbroker.addr"
	(
		exec setsid "$bin" --bootstrap-file "$D/kbroker.addr" \
			--topic-prefix "${BOXOFFICE_KAFKA_TOPIC_PREFIX:-boxoffice.}" \
			</dev/null >>"$D/kbroker.log" 2>&1 9>&-
	) &
	pid=$!
	echo "$pid" >"$D/kbroker.pid"
	wait_ready kbroker "$pid" "$D/kbroker.pid" 10 "$D/kbroker.log" -- test -s "$D/kbroker.addr"
	say "kbroker ready (pid $pid, $(head -n1 "$D/kbroker.addr"))"
}

kbroker_stop() { part_stop kbroker_pid kbroker "$D/kbroker.pid" "$D/kbroker.addr"; }
paysim_stop() { part_stop paysim_pid paysim "$D/paysim.pid"; }

# --- env file and status -----------------------------------------------------

write_env() {
	local kb
	kb=${KAFKA_BOOTSTRAP:-}
	[ -n "$kb" ] || kb=$(head -n1 "$D/kafka_bootstrap" 2>/dev/null || true)
	[ -n "$kb" ] || kb=${BOXOFFICE_KAFKA_BROKERS:-}
	umask 077
	cat >"$D/env.tmp" <<EOF
BOXOFFICE_URL=$BOXOFFICE_URL
HTTP_PORT=$HTTP_PORT
MYSQL_PORT=$MYSQL_PORT
MYSQL_SOCKET=$MYSQL_SOCKET
MYSQL_USER=boxoffice
MYSQL_PASSWORD=$S_MYSQL_PASSWORD
MYSQL_DB=boxoffice
REDIS_PORT=$REDIS_PORT
PAY_SECRET=$S_PAY_SECRET
JWT_SECRET=$S_JWT_SECRET
ADMIN_MOBILE=$ADMIN_MOBILE
ADMIN_PASSWORD=$S_ADMIN_PASSWORD
KAFKA_BOOTSTRAP=$kb
MAIL_DIR=$MAIL_DIR
SMS_DIR=$SMS_DIR
SMTP_PORT=$SMTP_PORT
SMS_PORT=$SMS_PORT
PAYSIM_PORT=$PAYSIM_PORT
PAYSIM_URL=http://127.0.0.1:$PAYSIM_PORT
STACK_DIR=$D
STACK_SH=$SELF
DAEMON_PID=$(daemon_pid || true)
DAEMON_LOG=$DAEMON_LOG
TRACES_FILE=$D/traces.jsonl
EOF
	scale_env >>"$D/env.tmp"
	mv "$D/env.tmp" "$D/env"
	umask 022
}

status() {
	local rc=0 pid
	show() { # NAME PIDFN DETAIL
		if pid=$($2); then
			printf '%-11s running  pid %-8s %s\n' "$1" "$pid" "$3"
		else
			printf '%-11s stopped  %-12s %s\n' "$1" "" "$3"
			rc=1
		fi
	}
	show mariadb mysql_pid "127.0.0.1:$MYSQL_PORT $MYSQL_SOCKET"
	show redis redis_pid "127.0.0.1:$REDIS_PORT"
	if sinks_wanted; then show sinks sinks_pid "smtp 127.0.0.1:$SMTP_PORT, sms 127.0.0.1:$SMS_PORT"; fi
	if find_tool paysim "${PAYSIM:-}" >/dev/null 2>&1; then show paysim paysim_pid "127.0.0.1:$PAYSIM_PORT"; fi
	if find_tool kbroker "${KBROKER_BIN:-}" >/dev/null 2>&1; then show kbroker kbroker_pid "$(head -n1 "$D/kbroker.addr" 2>/dev/null)"; fi
	show boxofficed daemon_pid "$BOXOFFICE_URL"
	if daemon_pid >/dev/null; then
		printf '%-11s /healthz %s\n' "" "$(healthz_code)"
	fi
	return $rc
}

# --- main ----------------------------------------------------------------

[ $# -ge 2 ] || usage
CMD=$1
case $CMD in
down | status | *-stop)
	if [ ! -d "$2" ]; then
		say "no stack in '$2'"
		[ "$CMD" = status ] && exit 1
		exit 0
	fi
	;;
esac
set_paths "$2"
shift 2
BUILD=
while [ $# -gt 0 ]; do
	case $1 in
	--build)
		[ $# -ge 2 ] || die "--build needs a folder"
		BUILD=$(readlink -f "$2")
		shift 2
		;;
	-h | --help) usage 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done

case $CMD in
up | down | status | mysql-start | mysql-stop | redis-start | redis-stop | sinks-start | \
	sinks-stop | paysim-start | paysim-stop | kbroker-start | kbroker-stop | daemon-start | \
	daemon-stop | daemon2-start | daemon2-stop | migrate) ;;
*) usage ;;
esac

command -v "$PYTHON" >/dev/null || die "python3 not found: run packaging/install-deps.sh"
lock_dir
load_secrets
case $CMD in
up | *-start) resolve_ports ;;
*) load_ports ;;
esac
BOXOFFICE_URL=http://127.0.0.1:$HTTP_PORT
scale_load

rc=0
case $CMD in
up)
	mysql_start
	redis_start
	if sinks_wanted; then sinks_start; fi
	paysim_start
	kbroker_start
	if [ "$DAEMONS" = 2 ] && [ -z "${BOXOFFICE_KAFKA_BROKERS:-}" ] && ! kbroker_pid >/dev/null; then
		die "DAEMONS=2 needs one Kafka for both: build tools/kbroker or set BOXOFFICE_KAFKA_BROKERS"
	fi
	if scale_kafka_external && [ -z "${BOXOFFICE_KAFKA_BROKERS:-}" ] && ! kbroker_pid >/dev/null; then
		die "KAFKA_EXTERNAL=1 needs tools/kbroker built (or BOXOFFICE_KAFKA_BROKERS)"
	fi
	write_env
	daemon_start
	daemon2 start
	write_env
	say "stack up in $D: $BOXOFFICE_URL (env: $D/env)"
	;;
down)
	daemon2 stop || rc=1
	daemon_stop || rc=1
	kbroker_stop
	paysim_stop
	sinks_stop
	redis_stop
	mysql_stop
	write_env
	;;
status) status || rc=$? ;;
mysql-start) mysql_start ;;
mysql-stop) mysql_stop ;;
redis-start) redis_start ;;
redis-stop) redis_stop ;;
sinks-start) sinks_start ;;
sinks-stop) sinks_stop ;;
paysim-start) paysim_start ;;
paysim-stop) paysim_stop ;;
kbroker-start) kbroker_start ;;
kbroker-stop) kbroker_stop ;;
daemon-start) daemon_start ;;
daemon-stop) daemon_stop || rc=1 ;;
daemon2-start) daemon2 start ;;
daemon2-stop) daemon2 stop || rc=1 ;;
migrate) daemon_migrate ;;
esac
case $CMD in
up | down | status | migrate) ;;
*) write_env ;;
esac
exit $rc
