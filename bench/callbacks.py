#!/usr/bin/env python3
"""bench/callbacks.py STACK_DIR [N] [THREADS]: payment callbacks end to end.

Against a running stack (packaging/stack.sh up DIR, started with
BOXOFFICE_RATE_LIMITS=0 so the set-up may hold many seats): the admin holds
one seat per order on the stack's screenings, orders it and creates an
online pay, N times (set-up, not timed). Then THREADS threads send the N
signed callbacks (POST /pay/callback, as paysim does) and the script
reports:
  - callbacks/s answered 200 (each answered only once payment.callback is
    acknowledged by the broker) and the p50/p99 latency of one callback;
  - paid/s end to end: from the first callback to the last order paid
    (polled with one SQL count), i.e. through Kafka, the payment consumer's
    transaction, the ticket codes and the seat publication.
Python stdlib only. Run by hand, never by CI.
"""
import hashlib
import hmac
import json
import sys
import subprocess
import threading
import time
import urllib.request


def env_of(d):
    out = {}
    with open(d + "/env") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def post(url, path, body, token=None, headers=None):
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method="POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def main():
    d = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    env = env_of(d)
    url, secret = env["BOXOFFICE_URL"], env["PAY_SECRET"].encode()
    st, r = post(url, "/admin/login", {"mobile": env["ADMIN_MOBILE"], "password": env["ADMIN_PASSWORD"]})
    assert st == 200, r
    tok = r["data"]["accessToken"]
    st, r = post(url, "/screening/list", {"pageSize": 100}, tok)
    sids = [s["id"] for s in r["data"]["list"] if s["status"] == "scheduled"]
    pays = []  # (pay id, amount, order id)
    si = 0
    t0 = time.time()
    while len(pays) < n and si < len(sids) * 10:
        sid = sids[si % len(sids)]
        si += 1
        st, h = post(url, "/seat/hold", {"screeningId": sid, "count": 1}, tok)
        if st != 200:
            continue
        seat = h["data"]["seats"][0]
        st, o = post(url, "/order/create", {"holdId": h["data"]["holdId"],
                                            "items": [{"seat": seat, "ticketType": "adult"}]}, tok)
        assert st == 200, o
        oid = o["data"]["id"]
        for _ in range(200):
            st, od = post(url, "/order/detail", {"id": oid}, tok)
            if od["data"]["status"] == 0:
                break
            time.sleep(0.02)
        st, p = post(url, "/pay/create", {"oid": oid}, tok)
        assert st == 200, p
        pays.append((p["data"]["id"], p["data"]["amount"], oid))
    print(f"set-up: {len(pays)} unpaid orders with a pay in {time.time() - t0:.1f} s", file=sys.stderr)

    lat, lock, it = [], threading.Lock(), iter(range(len(pays)))
    failures = [0]

    def sender():
        while True:
            with lock:
                i = next(it, None)
            if i is None:
                return
            pid, amount, _ = pays[i]
            body = json.dumps({"id": pid, "amount": amount, "source": 1, "status": 1,
                               "txnId": f"bench-{pid}", "ts": int(time.time())},
                              separators=(",", ":"))
            sig = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
            t = time.perf_counter()
            st, _ = post(url, "/pay/callback", body, headers={"X-Boxoffice-Signature": sig})
            dt = time.perf_counter() - t
            with lock:
                lat.append(dt)
                if st != 200:
                    failures[0] += 1

    start = time.perf_counter()
    ths = [threading.Thread(target=sender) for _ in range(threads)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    acked = time.perf_counter() - start
    # Count paid orders with one SQL query per poll (the stack's MariaDB).
    ids = ",".join(str(oid) for _, _, oid in pays)
    sql = ["mariadb", "--no-defaults", "-N", "--socket=" + env["MYSQL_SOCKET"], "-uroot",
           env.get("MYSQL_DB", "boxoffice"), "-e",
           f"SELECT COUNT(*) FROM orders WHERE status = 1 AND id IN ({ids})"]
    npaid = 0
    while npaid < len(pays) and time.perf_counter() - start < 300:
        npaid = int(subprocess.run(sql, capture_output=True, text=True, check=True).stdout)
        if npaid < len(pays):
            time.sleep(0.02)
    pending = len(pays) - npaid
    paid = time.perf_counter() - start
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
    print(f"callbacks: {len(pays)}, threads {threads}, non-200: {failures[0]}")
    print(f"answered 200: {len(pays) / acked:.0f}/s (all in {acked:.2f} s), "
          f"latency p50 {q(0.50):.1f} ms, p99 {q(0.99):.1f} ms")
    print(f"all orders paid after {paid:.2f} s: {len(pays) / paid:.0f} paid/s end to end"
          + (f"; {pending} NOT PAID" if pending else ""))
    return 1 if pending or failures[0] else 0


if __name__ == "__main__":
    sys.exit(main())
