# packaging/stack-scale.sh: sourced by packaging/stack.sh; the stack grown
# past one process on one machine, for tests and demonstrations:
#
#   REDIS_CLUSTER=1   Redis is a Redis Cluster of three masters (redis-server
#                     in cluster mode on loopback, no replicas) instead of one
#                     server; the daemons get its three addresses as seeds.
#   DAEMONS=2         a second boxofficed (node_id 1) on a port of its own,
#                     sharing MariaDB, Redis and Kafka with the first.
#   KAFKA_EXTERNAL=1  the daemons reach kbroker as an operator names external
#                     brokers: kafka_brokers = kbroker's address (the normal
#                     librdkafka client over TCP to a broker they did not
#                     start), not kafka_broker_file.
#
# Both are chosen when the stack is made (`up`, or any *-start) and kept in
# DIR/scale, so later commands on the folder (redis-stop, redis-start, down)
# act on the same shape. Ports: REDIS_PORT is the first master; the other
# masters, every cluster bus port and the second daemon's port are picked
# free (PICK_PORTS=1) or follow REDIS_PORT / HTTP_PORT.

DSUF= # "" the first daemon, "-2" the second (its files: daemon-2.pid, daemon-2.log, ...)
SCALE_NODES=3

scale_load() {
	local f=$D/scale
	if [ -f "$f" ]; then
		REDIS_CLUSTER=$(kv_get "$f" REDIS_CLUSTER)
		DAEMONS=$(kv_get "$f" DAEMONS)
		REDIS_PORTS=$(kv_get "$f" REDIS_PORTS)
		REDIS_BUS_PORTS=$(kv_get "$f" REDIS_BUS_PORTS)
		HTTP2_PORT=$(kv_get "$f" HTTP2_PORT)
		KAFKA_EXTERNAL=$(kv_get "$f" KAFKA_EXTERNAL)
		return 0
	fi
	REDIS_CLUSTER=${REDIS_CLUSTER:-0}
	DAEMONS=${DAEMONS:-1}
	KAFKA_EXTERNAL=${KAFKA_EXTERNAL:-0}
	REDIS_PORTS=$REDIS_PORT
	REDIS_BUS_PORTS=
	HTTP2_PORT=
	case $REDIS_CLUSTER$DAEMONS$KAFKA_EXTERNAL in 010) return 0 ;; esac
	[ "$DAEMONS" = 1 ] || [ "$DAEMONS" = 2 ] || die "DAEMONS must be 1 or 2, not '$DAEMONS'"
	local picked=()
	if [ "${PICK_PORTS:-0}" = 1 ]; then
		read -r -a picked <<<"$(pick_ports 6)"
	else
		picked=($((REDIS_PORT + 1)) $((REDIS_PORT + 2)) $((REDIS_PORT + 10000))
			$((REDIS_PORT + 10001)) $((REDIS_PORT + 10002)) $((HTTP_PORT + 1)))
	fi
	if [ "$REDIS_CLUSTER" = 1 ]; then
		REDIS_PORTS="$REDIS_PORT,${picked[0]},${picked[1]}"
		REDIS_BUS_PORTS="${picked[2]},${picked[3]},${picked[4]}"
	fi
	[ "$DAEMONS" = 1 ] || HTTP2_PORT=${picked[5]}
	{
		echo "REDIS_CLUSTER=$REDIS_CLUSTER"
		echo "DAEMONS=$DAEMONS"
		echo "REDIS_PORTS=$REDIS_PORTS"
		echo "REDIS_BUS_PORTS=$REDIS_BUS_PORTS"
		echo "HTTP2_PORT=$HTTP2_PORT"
		echo "KAFKA_EXTERNAL=$KAFKA_EXTERNAL"
	} >"$f"
}

scale_cluster() { [ "${REDIS_CLUSTER:-0}" = 1 ]; }
scale_kafka_external() { [ "${KAFKA_EXTERNAL:-0}" = 1 ]; }

# The daemons' redis_url: every master as a seed (several seeds = cluster mode).
scale_redis_url() {
	if scale_cluster; then
		echo "redis://$(echo "$REDIS_PORTS" | sed 's/\([0-9]*\)/127.0.0.1:\1/g')"
	else
		echo "redis://127.0.0.1:$REDIS_PORT/0"
	fi
}

cluster_node_port() { echo "$REDIS_PORTS" | cut -d, -f"$1"; }
cluster_node_pid() { pid_of "$REDIS_DIR/n$1/redis.pid" redis-server; }

cluster_state_ok() { # every node says cluster_state:ok
	local i
	for i in $(seq 1 $SCALE_NODES); do
		redis-cli -p "$(cluster_node_port "$i")" cluster info 2>/dev/null |
			grep -q '^cluster_state:ok' || return 1
	done
}

cluster_start() {
	local i port bus dir pid n fresh=0
	command -v redis-server >/dev/null || die "redis-server not found: run packaging/install-deps.sh"
	for i in $(seq 1 $SCALE_NODES); do
		port=$(cluster_node_port "$i")
		bus=$(echo "$REDIS_BUS_PORTS" | cut -d, -f"$i")
		dir=$REDIS_DIR/n$i
		if pid=$(cluster_node_pid "$i"); then
			continue
		fi
		mkdir -p "$dir"
		[ -f "$dir/nodes.conf" ] || fresh=1
		need_free "$port" "redis cluster node $i" REDIS_PORT
		setsid redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--cluster-enabled yes --cluster-port "$bus" --cluster-config-file nodes.conf \
			--cluster-node-timeout 2000 \
			--dir "$dir" --daemonize no --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" \
			</dev/null >>"$dir/redis.out" 2>&1 9>&- &
		echo "$!" >"$dir/redis.pid"
	done
	n=$((REDIS_WAIT * 10))
	for i in $(seq 1 $SCALE_NODES); do
		until redis-cli -p "$(cluster_node_port "$i")" ping 2>/dev/null | grep -q PONG; do
			n=$((n - 1))
			if [ "$n" -le 0 ] || ! cluster_node_pid "$i" >/dev/null; then
				tail_log "$REDIS_DIR/n$i/redis.log"
				die "redis cluster node $i did not start"
			fi
			sleep 0.1
		done
	done
	if [ "$fresh" = 1 ]; then
		# shellcheck disable=SC2046
		redis-cli --cluster create $(echo "$REDIS_PORTS" | sed 's/\([0-9]*\)/127.0.0.1:\1/g; s/,/ /g') \
			--cluster-replicas 0 --cluster-yes >"$REDIS_DIR/create.log" 2>&1 ||
			{
				cat "$REDIS_DIR/create.log" >&2
				die "redis-cli --cluster create failed"
			}
	fi
	n=$((REDIS_WAIT * 10))
	until cluster_state_ok; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "redis cluster not ok after ${REDIS_WAIT}s (ports $REDIS_PORTS)"
		sleep 0.1
	done
	# The first node's pid stands for the cluster (redis_pid).
	cp "$REDIS_DIR/n1/redis.pid" "$REDIS_DIR/redis.pid"
	say "redis cluster ready (3 masters, ports $REDIS_PORTS)"
}

cluster_stop() {
	local i pid
	for i in $(seq 1 $SCALE_NODES); do
		pid=$(cluster_node_pid "$i") || continue
		redis-cli -p "$(cluster_node_port "$i")" shutdown nosave >/dev/null 2>&1 || true
		stop_pid "redis cluster node $i" "$pid" || true
		rm -f "$REDIS_DIR/n$i/redis.pid"
	done
	rm -f "$REDIS_DIR/redis.pid"
	say "redis cluster stopped"
}

# The second daemon: daemon_start/daemon_stop with its own port and files.
daemon2() { # start|stop
	[ "${DAEMONS:-1}" = 2 ] || return 0
	(
		DSUF=-2
		HTTP_PORT=$HTTP2_PORT
		BOXOFFICE_URL=http://127.0.0.1:$HTTP2_PORT
		DAEMON_LOG=$D/daemon-2.log
		export BOXOFFICE_NODE_ID=1
		"daemon_$1"
	)
}

scale_env() {
	echo "REDIS_CLUSTER=${REDIS_CLUSTER:-0}"
	echo "REDIS_PORTS=${REDIS_PORTS:-$REDIS_PORT}"
	echo "KAFKA_EXTERNAL=${KAFKA_EXTERNAL:-0}"
	if [ "${DAEMONS:-1}" = 2 ]; then
		echo "BOXOFFICE_URL2=http://127.0.0.1:$HTTP2_PORT"
		echo "DAEMON2_PID=$(DSUF=-2 daemon_pid || true)"
		echo "DAEMON2_LOG=$D/daemon-2.log"
	fi
}
