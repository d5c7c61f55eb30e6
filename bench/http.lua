-- http.lua: wrk script of bench/http.sh. The request is built once (no
-- per-request Lua): METHOD (default GET) and, for a POST, the JSON body in
-- BODY (default {}). Every run ends with one machine-readable RESULT line
-- (bench/http.sh and bench/run.sh read it), so every row, nginx's included,
-- pays the same client-side cost.
wrk.method = os.getenv("METHOD") or "GET"
if wrk.method == "POST" then
	wrk.headers["Content-Type"] = "application/json"
	wrk.body = os.getenv("BODY") or "{}"
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d " ..
		"mean_us=%.1f max_us=%d connect_err=%d read_err=%d write_err=%d timeout=%d non2xx=%d\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(90), latency:percentile(99),
		latency.mean, latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
