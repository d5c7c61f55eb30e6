-- post.lua: wrk script for the boxoffice API: every request is a POST with
-- the JSON body in $BODY (default {}), and the run ends with one
-- machine-readable RESULT line that bench/run.sh parses.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BODY") or "{}"

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d " ..
		"mean_us=%.1f max_us=%d connect_err=%d read_err=%d write_err=%d timeout=%d non2xx=%d\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(90), latency:percentile(99),
		latency.mean, latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
