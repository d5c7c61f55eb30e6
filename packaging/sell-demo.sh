#!/usr/bin/env bash
# packaging/sell-demo.sh [STACK_DIR]: sell one ticket end to end on a running
# stack (the quick start's ./var by default) with curl and paysim, printing
# each request and its answer:
#   a customer registers (email code from the mail sink) and logs in,
#   holds the two best seats of the next screening with free seats,
#   orders them (pending, then unpaid once the order consumer wrote it),
#   creates an online pay (payUrl at paysim), approves it at paysim's API
#   (what the page at payUrl does when a person clicks Approve; open the
#   printed payUrl in a browser to do it by hand instead: DEMO_BY_HAND=1),
#   waits for the signed callback to make the order paid, and shows the
#   ticket codes and the first ticket's QR code size.
# Exits non-zero when a step fails. Needs curl and python3.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
VAR=${1:-./var}
fail() {
	echo "sell-demo: $*" >&2
	exit 1
}
[ -f "$VAR/env" ] || fail "no stack in '$VAR' (run packaging/quickstart.sh first)"
get() { sed -n "s/^$1=//p" "$VAR/env"; }
URL=$(get BOXOFFICE_URL)
PAYSIM=$(get PAYSIM_URL)
MAIL_DIR=$(get MAIL_DIR)

# json FILTER: read JSON on stdin, print the Python expression FILTER of it (d = the document).
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
say() { printf '\n== %s\n' "$*"; }
# api PATH BODY [TOKEN]: POST to the daemon, print request and answer, answer on stdout of fd 3.
api() {
	local path=$1 body=$2 token=${3:-} out
	echo "POST $path $body" >&2
	if [ -n "$token" ]; then
		out=$(curl -sS -X POST "$URL$path" -H 'Content-Type: application/json' \
			-H "Authorization: Bearer $token" -d "$body")
	else
		out=$(curl -sS -X POST "$URL$path" -H 'Content-Type: application/json' -d "$body")
	fi
	if [ ${#out} -gt 400 ]; then echo "  -> ${out:0:400}…" >&2; else echo "  -> $out" >&2; fi
	echo "$out"
}
ok() { json 'd["code"]' <<<"$1" | grep -qx 200 || fail "step failed"; }
# call PATH BODY [TOKEN]: api, and the step fails unless the answer is code 200.
call() {
	local out
	out=$(api "$@")
	ok "$out"
	echo "$out"
}
# wait_order STATUS TRIES WHAT: poll the order every 0.1 s until its status is
# STATUS (its last answer in r); the demo fails with "order OID WHAT" if not.
wait_order() {
	local want=$1 st=
	for _ in $(seq "$2"); do
		r=$(api /order/detail "{\"id\":$OID}" "$TOKEN" 2>/dev/null)
		st=$(json 'd["data"]["status"]' <<<"$r")
		[ "$st" = "$want" ] && return 0
		sleep 0.1
	done
	fail "order $OID $3 (status $st)"
}

say "a customer registers with an email code and logs in"
n=$(date +%s)$$
email="demo$n@example.invalid"
mobile="177$(printf '%08d' $((n % 100000000)))"
ok "$(api /email/code/send "{\"email\":\"$email\"}")"
code=
for _ in $(seq 50); do
	f=$(grep -l "^X-Rcpt: <\?$email" "$MAIL_DIR"/*.eml 2>/dev/null | tail -n1 || true)
	[ -n "$f" ] && code=$(grep -oE '\b[0-9]{6}\b' "$f" | tail -n1) && break
	sleep 0.1
done
[ -n "$code" ] || fail "no code mailed to $email in $MAIL_DIR"
ok "$(api /user/register "{\"name\":\"Demo Buyer\",\"gender\":0,\"mobile\":\"$mobile\",\"email\":\"$email\",\"password\":\"demo-password-1\",\"emailCode\":\"$code\"}")"
r=$(call /user/login "{\"mobile\":\"$mobile\",\"password\":\"demo-password-1\"}")
TOKEN=$(json 'd["data"]["accessToken"]' <<<"$r")

say "the next screening with free seats"
r=$(call /screening/list '{"pageSize":100}')
SID=$(json 'next((s["id"] for s in d["data"]["list"] if s.get("seatsFree",0) >= 2 and s.get("status","scheduled") == "scheduled"), "")' <<<"$r")
[ -n "$SID" ] || fail "no screening with two free seats in the next 7 days"

say "hold the two best seats"
r=$(call /seat/hold "{\"screeningId\":$SID,\"count\":2}" "$TOKEN")
HOLD=$(json 'd["data"]["holdId"]' <<<"$r")
ITEMS=$(json 'json.dumps([{"seat": s, "ticketType": "adult"} for s in d["data"]["seats"]])' <<<"$r")

say "order them (answered pending at once; the order consumer makes it unpaid)"
r=$(call /order/create "{\"holdId\":$HOLD,\"items\":$ITEMS}" "$TOKEN")
OID=$(json 'd["data"]["id"]' <<<"$r")
wait_order 0 100 "is not unpaid"

say "pay online: the payUrl points at paysim"
r=$(call /pay/create "{\"oid\":$OID}" "$TOKEN")
PAY=$(json 'd["data"]["id"]' <<<"$r")
AMOUNT=$(json 'd["data"]["amount"]' <<<"$r")
PAYURL=$(json 'd["data"]["payUrl"]' <<<"$r")
echo "payUrl: $PAYURL"
if [ "${DEMO_BY_HAND:-0}" = 1 ]; then
	echo "open $PAYURL in a browser and click Approve; waiting up to 5 minutes"
else
	echo "POST $PAYSIM/api/approve {\"payId\":$PAY,\"amount\":$AMOUNT}" >&2
	curl -sS -X POST "$PAYSIM/api/approve" -H 'Content-Type: application/json' \
		-d "{\"payId\":$PAY,\"amount\":$AMOUNT}" | sed 's/^/  -> /' >&2
	echo >&2
fi

say "paysim calls back (signed); the payment consumer makes the order paid"
wait_order 1 3000 "was not paid"
echo "$r" | json 'json.dumps(d["data"], indent=1)'
CODE=$(json 'd["data"]["items"][0]["ticketCode"]' <<<"$r")
r=$(api /ticket/qr "{\"code\":\"$CODE\"}" "$TOKEN" 2>/dev/null)
ok "$r"
echo "ticket $CODE: QR code of $(json 'len(d["data"]["svg"])' <<<"$r") bytes of SVG"
say "sold: order $OID, pay $PAY, $AMOUNT paid, seats $(json '",".join(i["seat"] for i in d["data"]["items"])' <<<"$(api /order/detail "{\"id\":$OID}" "$TOKEN" 2>/dev/null)") of screening $SID"
