# shellcheck shell=bash disable=SC2034 # the variables it sets are the sourcing script's
# bench/flash/sale.sh: what bench/flash.sh and tests/chaos/run.sh share,
# sourced by both (not run on its own): one screening put on sale for the
# flash-sale load generator (bench/flash/flash.c), its customers, waiting
# until the consumers caught up, and the invariants checked in MariaDB.
#
# The sourcing script sets, before calling these:
#   SALE_SQL    the mariadb client command as an array (root, database boxoffice,
#               -N -B), e.g. SALE_SQL=(mariadb --no-defaults --socket=S -uroot boxoffice -N -B)
#   SALE_URL    a daemon's base URL (http://127.0.0.1:PORT)
#   ADMIN_MOBILE, ADMIN_PASSWORD   the stack's bootstrap admin
# and may define sale_log (messages; default: to stderr).

declare -F sale_log >/dev/null || sale_log() { echo "sale: $*" >&2; }

# sale_api PATH JSON [TOKEN]: POST to the daemon, print the answer's body.
sale_api() {
	curl -s --max-time 10 -X POST -H 'Content-Type: application/json' \
		${3:+-H "Authorization: Bearer $3"} -d "$2" "$SALE_URL$1"
}

# sale_field KEY: data.KEY of the JSON answer on stdin (empty when absent).
sale_field() {
	python3 -c "import json,sys
try: print(json.load(sys.stdin)['data']['$1'])
except Exception: pass"
}

# sale_setup ROWS COLS CUSTOMERS: a hall of ROWS x COLS standard seats, a
# film and one screening tomorrow (through the API, as the admin), and
# CUSTOMERS customer accounts made with SQL (ids from 5 * 10^14: cJSON prints
# a number with 15 significant digits when that reads back within its
# epsilon, so an id above 2^52 may come back one off; mobiles from SALE_MOBILE0, the
# admin's password: its hash is copied, so logins cost what the daemon's
# Argon2 settings made it cost). Sets SALE_SID, SALE_MOBILE0, SALE_PASSWORD.
sale_setup() {
	local rows=$1 cols=$2 n=$3 token layout hall film row hash
	token=$(sale_api /admin/login "{\"mobile\":\"$ADMIN_MOBILE\",\"password\":\"$ADMIN_PASSWORD\"}" | sale_field accessToken)
	[ -n "$token" ] || { sale_log "cannot log in as the admin"; return 1; }
	row=$(printf 'S%.0s' $(seq 1 "$cols"))
	layout=$(python3 -c "import json; print(json.dumps(['$row'] * $rows))")
	hall=$(sale_api /hall/create "{\"name\":\"flash-hall-$$\",\"layout\":$layout}" "$token" | sale_field id)
	film=$(sale_api /film/create '{"name":"flash sale","desc":"","stock":0,"amount":4500,"screenwriter":"","director":"","length":100,"isSelectSeat":1}' "$token" | sale_field id)
	[ -n "$hall" ] && [ -n "$film" ] || { sale_log "cannot create the hall or the film"; return 1; }
	SALE_SID=$(sale_api /screening/create "{\"filmId\":$film,\"hallId\":$hall,\"startAt\":$(($(date +%s) + 86400))}" "$token" | sale_field id)
	[ -n "$SALE_SID" ] || { sale_log "cannot create the screening"; return 1; }
	SALE_MOBILE0=13700000000
	SALE_PASSWORD=$ADMIN_PASSWORD
	hash=$(sale_q "SELECT password FROM users WHERE mobile = '$ADMIN_MOBILE'")
	[ -n "$hash" ] || { sale_log "no admin password hash to copy"; return 1; }
	python3 - "$n" "$SALE_MOBILE0" "$hash" <<'PY' | "${SALE_SQL[@]}"
import sys, time
n, m0, pw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].replace("'", "")
t = int(time.time())
print("DELETE FROM users WHERE mobile BETWEEN '%d' AND '%d';" % (m0, m0 + n - 1))
for k in range(0, n, 500):
    rows = ",".join(
        "(%d,'flash %d',0,'%d','flash%d@flash.test','%s',0,0,0,%d,%d)"
        % (5 * 10**14 + i, i, m0 + i, i, pw, t, t) for i in range(k, min(n, k + 500)))
    print("INSERT INTO users (id,name,gender,mobile,email,password,type,tv,disabled,create_time,update_time) "
          "VALUES " + rows + ";")
PY
	sale_log "screening $SALE_SID: $rows x $cols seats, $n customers"
}

# sale_q SQL: one value.
sale_q() { "${SALE_SQL[@]}" -e "$1"; }

# sale_ids KIND FILE: the ids of the "KIND id ..." lines of flash's -o FILE, comma separated (0 when none).
sale_ids() { awk -v k="$1" '$1 == k { printf "%s%s", s, $2; s = "," } END { if (s == "") printf "0" }' "$2"; }

# sale_unsettled FILE: accepted orders not yet final in MariaDB (missing or
# pending) plus approved payments not yet applied (pay neither paid nor refunded).
sale_unsettled() {
	local o p
	o=$(sale_ids order "$1")
	p=$(sale_ids pay "$1")
	sale_q "SELECT (SELECT COUNT(*) FROM orders WHERE id IN ($o) AND status <> 4)
	               + (SELECT COUNT(*) FROM pays WHERE id IN ($p) AND status IN (1, 3)),
	               $(awk '$1 == "order" || $1 == "pay"' "$1" | wc -l)" |
		awk '{ print $2 - $1 }'
}

# sale_settle FILE SECONDS: wait (polling) until sale_unsettled is 0; 1 if it
# is not within SECONDS.
sale_settle() {
	local end=$((SECONDS + $2)) left
	while :; do
		left=$(sale_unsettled "$1")
		[ "$left" = 0 ] && return 0
		if [ "$SECONDS" -ge "$end" ]; then
			sale_log "$left accepted orders or approved payments still not applied after $2 s"
			return 1
		fi
		sleep 0.5
	done
}

# sale_check ACCEPTED_FILE SOLD_FILE: the invariants, one "check NAME ok|FAIL
# (detail)" line each on stdout; returns 1 when one fails. SALE_SOLD = the
# seats sold in MariaDB.
sale_check() {
	local rc=0 s=$SALE_SID o p v total
	check() { # NAME OK DETAIL
		if [ "$2" = 1 ]; then echo "check $1 ok ($3)"; else echo "check $1 FAIL ($3)"; rc=1; fi
	}
	o=$(sale_ids order "$1")
	p=$(sale_ids pay "$1")
	total=$(sale_q "SELECT seats_total FROM screenings WHERE id = $s")
	SALE_SOLD=$(sale_q "SELECT COUNT(*) FROM tickets WHERE screening_id = $s AND live = 1 AND status = 1")
	v=$(sale_q "SELECT COUNT(*) FROM (SELECT seat FROM tickets WHERE screening_id = $s AND status = 1 GROUP BY seat HAVING COUNT(*) > 1) x")
	check no_seat_sold_twice "$([ "$v" = 0 ] && echo 1)" "$v seats with two issued tickets"
	check sold_at_most_seats "$([ "$SALE_SOLD" -le "$total" ] && echo 1)" "$SALE_SOLD sold of $total"
	v=$(sale_q "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id
	            WHERE o.screening_id = $s AND o.status = 1 AND t.live = 1")
	check sold_equals_paid_orders "$([ "$v" = "$SALE_SOLD" ] && echo 1)" "$v seats of paid orders, $SALE_SOLD sold"
	v=$(sale_q "SELECT COUNT(*) FROM pays p JOIN orders o ON o.id = p.oid
	            WHERE o.screening_id = $s AND p.status IN (1, 3) AND NOT (
	              (p.status = 1 AND o.status = 1 AND NOT EXISTS (SELECT 1 FROM tickets t
	                 WHERE t.order_id = o.id AND (t.status <> 1 OR t.code IS NULL OR t.live IS NULL)))
	              OR (o.status = 3 AND EXISTS (SELECT 1 FROM refunds r WHERE r.pay_id = p.id)))")
	check paid_means_tickets_or_refund "$([ "$v" = 0 ] && echo 1)" "$v paid payments without a paid order and issued tickets or a refund"
	v=$(sale_q "SELECT $(awk '$1 == "pay"' "$1" | wc -l) - COUNT(*) FROM pays WHERE id IN ($p) AND status IN (1, 3)")
	check approved_payments_applied "$([ "$v" = 0 ] && echo 1)" "$v approved by paysim and not applied"
	v=$(sale_q "SELECT $(awk '$1 == "order"' "$1" | wc -l) - COUNT(*) FROM orders WHERE id IN ($o) AND status IN (0, 1, 2, 3)")
	check no_accepted_order_lost "$([ "$v" = 0 ] && echo 1)" "$v accepted orders missing or not final, of $(awk '$1 == "order"' "$1" | wc -l)"
	sale_q "SELECT seat FROM tickets WHERE screening_id = $s AND live = 1 AND status = 1" | sort >"$2.db"
	v=$(sort "$2" | diff - "$2.db" | grep -c '^[<>]' || true)
	check websocket_map_equals_db "$([ "$v" = 0 ] && echo 1)" "$v seats differ between a client's map and MariaDB"
	return $rc
}
