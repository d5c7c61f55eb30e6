-- holds.lua: wrk script for bench/holds.sh: 2-seat holds on one hot
-- screening (SID; ROWS rows of COLS seats), each released again by the next
-- request of the same thread, so the screening never fills. Prints one
-- RESULT line: holds made, releases, conflicts, errors, latency.
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	sid = os.getenv("SID")
	rows = tonumber(os.getenv("ROWS"))
	cols = tonumber(os.getenv("COLS"))
	token = os.getenv("TOKEN")
	queue = {}
	holds, releases, conflicts, errors = 0, 0, 0, 0
	math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

local function post(path, body)
	return wrk.format("POST", path, {["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. token}, body)
end

function request()
	local id = table.remove(queue)
	if id then
		return post("/seat/release", '{"holdId":' .. id .. '}')
	end
	local r = string.char(65 + math.random(0, rows - 1))
	local c = math.random(1, cols - 1)
	return post("/seat/hold", '{"screeningId":' .. sid .. ',"seats":["' .. r .. c .. '","' ..
		r .. (c + 1) .. '"]}')
end

function response(status, headers, body)
	local id = body:match('"holdId":(%d+)')
	if id then
		holds = holds + 1
		table.insert(queue, id)
	elseif status == 200 then
		releases = releases + 1
	elseif status == 409 then
		conflicts = conflicts + 1
	else
		errors = errors + 1
	end
end

function done(summary, latency, requests)
	local h, r, c, e = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		h = h + t:get("holds")
		r = r + t:get("releases")
		c = c + t:get("conflicts")
		e = e + t:get("errors")
	end
	io.write(string.format("RESULT requests=%d duration_us=%d holds=%d releases=%d " ..
		"conflicts=%d errors=%d p50_us=%d p99_us=%d\n", summary.requests, summary.duration,
		h, r, c, e, latency:percentile(50), latency:percentile(99)))
end
