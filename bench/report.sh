#!/usr/bin/env bash
# bench/report.sh: the reports of spec 4.11 over a year of sales.
#
#   bench/report.sh [--tickets N] [--runs N] [--build DIR] [--out FILE] [--keep]
#
# Generates, in MariaDB directly (INSERT ... SELECT over the SEQUENCE
# engine's seq_ tables, bounded by a 15-minute timeout per statement), a
# year of sales: 20 films, 24 screenings a day for 365 days (200 seats each),
# N/2 orders of 2 tickets (default N = 1,000,000 tickets), one pay per
# order (cash, card or online; 5 cashiers), one pay in 19 refunded. Then it
# times /report/sales in each grouping and /report/occupancy through the API
# over the whole year (--runs, default 3, the median and the worst kept) and
# prints EXPLAIN of each query (the same SQL text as server/store/
# store_report.c: keep them in step). Goal: each answers within a second.
#
# Builds a Release boxofficed in --build DIR (default build-bench/), starts a
# private MariaDB and Redis (packaging/stack.sh, free ports), one daemon,
# and stops everything on exit. Writes bench/results/report-<date>.md (or
# --out FILE).
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
REPO=$(dirname "$HERE")
STACK_SH=$REPO/packaging/stack.sh
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

TICKETS=1000000 RUNS=3 KEEP=0 DURATION=1 WARMUP=0 CONNS=1 THREADS=1
BUILD_DIR=$REPO/build-bench OUT=
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--tickets) TICKETS=${2:?} ;;
	--runs) RUNS=${2:?} ;;
	*)
		bench_option "$@"
		shift "$BENCH_SHIFT"
		continue
		;;
	esac
	shift 2
done
bench_check_numbers TICKETS RUNS
bench_need curl mariadb redis-server python3 cmake

WORK=$(mktemp -d /tmp/bench-report.XXXXXX)
STACK_DIR=$WORK/stack
PIDS=()
OWN_STACK=0
cleanup() {
	bench_stop_pids
	if [ "$OWN_STACK" = 1 ]; then "$STACK_SH" down "$STACK_DIR" >/dev/null 2>&1 || true; fi
	if [ "$KEEP" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

bench_build_daemon
bench_stack_start
bench_stack_env
sql() { timeout 900 mariadb --no-defaults --socket="$MYSQL_SOCKET" -uroot boxoffice "$@"; }

ORDERS=$((TICKETS / 2))
SCREENINGS=$((365 * 24))
Y0=$(($(date +%s) - 366 * 86400))
Y0=$((Y0 - Y0 % 86400))
Y1=$((Y0 + 366 * 86400))
say "generating $ORDERS orders, $((ORDERS * 2)) tickets, $SCREENINGS screenings"
T_GEN0=$(date +%s.%N)
sql <<SQL || die "data generation failed"
SET SESSION unique_checks = 0, foreign_key_checks = 0;
INSERT INTO users (id, name, mobile, email, password, type, create_time, update_time)
  SELECT 900000 + seq, CONCAT('cashier ', seq), CONCAT('1370000000', seq),
         CONCAT('cashier', seq, '@bench.test'), 'x', 2, $Y0, $Y0 FROM seq_1_to_5;
INSERT INTO films (id, name, length, amount, create_time, update_time)
  SELECT 800000 + seq, CONCAT('Film ', seq, IF(seq = 7, ', "the quoted"', '')), 100, 4500, $Y0, $Y0
  FROM seq_1_to_20;
INSERT INTO halls (id, name, layout, seats, create_time, update_time)
  SELECT 700000 + seq, CONCAT('Hall ', seq), '[]', 200, $Y0, $Y0 FROM seq_1_to_24;
INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, discounts, status,
                        seats_total, create_time, update_time)
  SELECT 600000 + seq, 800001 + seq % 20, 700001 + seq % 24,
         $Y0 + (seq DIV 24) * 86400 + 10 * 3600 + (seq % 24) * 1800,
         $Y0 + (seq DIV 24) * 86400 + 10 * 3600 + (seq % 24) * 1800 + 6000,
         '{}', '{}', IF(seq % 500 = 0, 1, 0), 200, $Y0, $Y0
  FROM seq_0_to_$((SCREENINGS - 1));
-- order i: screening i % S, paid i % 7 hours before the start; one in 19 refunded.
INSERT INTO orders (id, uid, fid, screening_id, quantity, amount, status, cashier_id,
                    paid_at, create_time, update_time)
  SELECT 10000000 + seq, 1, 800001 + (seq % $SCREENINGS) % 20, 600000 + seq % $SCREENINGS, 2, 9000,
         IF(seq % 19 = 0, 3, 1), IF(seq % 3 = 2, 0, 900001 + seq % 5),
         $Y0 + ((seq % $SCREENINGS) DIV 24) * 86400 + 10 * 3600 + ((seq % $SCREENINGS) % 24) * 1800
           - (seq % 7) * 3600 - 600,
         $Y0, $Y0
  FROM seq_0_to_$((ORDERS - 1));
INSERT INTO pays (id, uid, oid, amount, source, method, status, live, cashier_id, shift_id,
                  paid_at, create_time, update_time, tickets, fid)
  SELECT o.id, 1, o.id, o.amount, IF(o.cashier_id = 0, 1, 0),
         ELT(1 + (o.id - 10000000) % 3, 'cash', 'card', 'online'), IF(o.status = 3, 3, 1), 1,
         o.cashier_id, 0, o.paid_at, o.paid_at, o.paid_at, o.quantity, o.fid
  FROM orders o WHERE o.id >= 10000000;
INSERT INTO refunds (id, order_id, pay_id, amount, method, actor, status, create_time, done_at)
  SELECT p.id, p.oid, p.id, p.amount, p.method, 0, 1, p.paid_at + 3600, p.paid_at + 3600
  FROM pays p WHERE p.id >= 10000000 AND p.status = 3;
INSERT INTO tickets (id, order_id, screening_id, fid, seat, price, status, live, create_time)
  SELECT (o.id - 10000000) * 2 + k.seq + 20000000, o.id, o.screening_id, o.fid,
         CONCAT((o.id - 10000000) DIV $SCREENINGS, CHAR(65 + k.seq)), 4500,
         IF(o.status = 3, 2, 1), IF(o.status = 3, NULL, 1), o.paid_at
  FROM orders o JOIN seq_0_to_1 k WHERE o.id >= 10000000;
ANALYZE TABLE pays, orders, refunds, tickets, screenings;
SQL
T_GEN=$(awk -v a="$T_GEN0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
NT=$(sql -N -e "SELECT COUNT(*) FROM tickets")
NP=$(sql -N -e "SELECT COUNT(*) FROM pays")
say "generated in ${T_GEN}s: $NT tickets, $NP pays"

PORT=$(free_ports 1)
bench_daemon_start boxofficed "$WORK/daemon.log" "$PORT"
URL=http://127.0.0.1:$PORT
api() { curl -s -X POST -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "$2" "$URL$1"; }
TOKEN=$(api /admin/login "{\"mobile\":\"$ADMIN_MOBILE\",\"password\":\"$ADMIN_PASSWORD\"}" |
	python3 -c "import json,sys; print(json.load(sys.stdin)['data']['accessToken'])")

# time_route PATH BODY: RUNS timed answers; prints "median worst rows status".
time_route() {
	local i t ts=() code rows
	for i in $(seq 1 "$RUNS"); do
		t=$(curl -s -o "$WORK/answer" -w '%{http_code} %{time_total}' -X POST \
			-H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d "$2" "$URL$1")
		code=${t% *}
		ts+=("${t#* }")
	done
	rows=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['data']['list']))" \
		"$WORK/answer" 2>/dev/null || echo "?")
	printf '%s\n' "${ts[@]}" | sort -n |
		awk -v c="$code" -v r="$rows" '{a[NR]=$1} END {printf "%.3f %.3f %s %s", a[int((NR+1)/2)], a[NR], r, c}'
}

INNER="SELECT %s AS g, SUM(p.tickets) AS tickets, SUM(p.amount) AS amount, SUM(IF(p.status = 3, p.amount, 0)) AS refunds FROM pays p WHERE p.paid_at >= $Y0 AND p.paid_at < $Y1 AND p.status IN (1, 3) GROUP BY g"
# shellcheck disable=SC2059
declare -A QUERY=(
	[film]="SELECT COALESCE(f.name, ''), t.g, t.tickets, t.amount, t.refunds FROM ($(printf "$INNER" p.fid)) t LEFT JOIN films f ON f.id = t.g ORDER BY t.amount DESC, t.g LIMIT 20000"
	[day]="SELECT DATE_FORMAT(FROM_UNIXTIME(t.g * 900), '%Y-%m-%d') AS d, 0, SUM(t.tickets), SUM(t.amount), SUM(t.refunds) FROM ($(printf "$INNER" "p.paid_at DIV 900")) t GROUP BY d ORDER BY d LIMIT 20000"
	[cashier]="SELECT IF(t.g = 0, 'online', COALESCE(u.name, '')), t.g, t.tickets, t.amount, t.refunds FROM ($(printf "$INNER" p.cashier_id)) t LEFT JOIN users u ON u.id = t.g ORDER BY t.g LIMIT 20000"
	[method]="SELECT t.g, 0, t.tickets, t.amount, t.refunds FROM ($(printf "$INNER" p.method)) t ORDER BY t.g LIMIT 20000"
	[occupancy]="SELECT s.id, COALESCE(f.name, ''), s.start_at, (SELECT COUNT(*) FROM tickets t WHERE t.screening_id = s.id AND t.status = 1), s.seats_total FROM screenings s LEFT JOIN films f ON f.id = s.film_id WHERE s.start_at >= $Y0 AND s.start_at < $Y1 AND s.status = 0 ORDER BY s.start_at, s.id LIMIT 20000"
)

bench_report_facts "$REPO/server" "$REPO/bench" "$REPO/sql"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RES
for g in film day cashier method; do
	say "/report/sales groupBy $g"
	RES[$g]=$(time_route /report/sales "{\"from\":$Y0,\"to\":$Y1,\"groupBy\":\"$g\"}")
done
say "/report/sales groupBy film, csv"
CSV_T=$(curl -s -o "$WORK/csv" -w '%{http_code} %{time_total} %{content_type}' -X POST \
	-H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
	-d "{\"from\":$Y0,\"to\":$Y1,\"groupBy\":\"film\",\"format\":\"csv\"}" "$URL/report/sales")
say "/report/occupancy"
RES[occupancy]=$(time_route /report/occupancy "{\"from\":$Y0,\"to\":$Y1}")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

OUT=${OUT:-$REPO/bench/results/report-$DATE.md}
{
	echo "# Reports over a year of sales ($DATE)"
	echo
	echo "Command: \`bench/report.sh${ARGS:+ $ARGS}\`"
	echo "Commit $COMMIT; $CPU, $(nproc) cores, $MEM; load $LOAD_BEFORE before, $LOAD_AFTER after."
	echo "$(mariadb --version | sed 's/^mariadb *//'); Release boxofficed."
	echo
	echo "Data (generated in MariaDB in ${T_GEN} s): $NT tickets, $NP pays over 366 days,"
	echo "$SCREENINGS screenings (one in 500 cancelled), 20 films, 5 cashiers, one pay in 19 refunded."
	echo "Every request asks for the whole year ([$Y0, $Y1)); $RUNS runs each, curl's time_total."
	echo
	echo "| route | median s | worst s | rows | HTTP |"
	echo "|---|---|---|---|---|"
	for g in film day cashier method; do
		read -r med worst rows code <<<"${RES[$g]}"
		echo "| /report/sales groupBy $g | $med | $worst | $rows | $code |"
	done
	read -r med worst rows code <<<"${RES[occupancy]}"
	echo "| /report/occupancy | $med | $worst | $rows | $code |"
	echo "| /report/sales groupBy film, format csv | ${CSV_T#* } | | $(($(wc -l <"$WORK/csv") - 1)) | ${CSV_T%% *} |"
	echo
	echo "CSV head:"
	echo
	head -n 4 "$WORK/csv" | sed 's/^/    /'
	for g in film day cashier method occupancy; do
		echo
		echo "## EXPLAIN: $g"
		echo
		echo '```'
		sql -t -e "EXPLAIN ${QUERY[$g]}"
		echo '```'
	done
} >"$OUT"
cat "$OUT"
