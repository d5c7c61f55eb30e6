-- orders.lua: wrk script for bench/orders.sh: each connection's requests
-- alternate a 2-seat /seat/hold and the /order/create of that hold, walking
-- seats in order through screenings of its own (SIDS, comma-separated; a
-- thread takes every THREADS-th one from FIRST), so nothing conflicts.
-- Prints one RESULT line: holds, orders accepted, errors, latency.
local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	sids = {}
	for s in string.gmatch(os.getenv("SIDS"), "%d+") do table.insert(sids, s) end
	nthreads = tonumber(os.getenv("THREADS"))
	token = os.getenv("TOKEN")
	cursor = tid + 1
	seat = 0
	queue = {}
	holds, orders, errors = 0, 0, 0
end

local function post(path, body)
	return wrk.format("POST", path, {["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. token}, body)
end

function request()
	local h = table.remove(queue)
	if h then
		return post("/order/create", '{"holdId":' .. h.id .. ',"items":[{"seat":"' .. h.a ..
			'"},{"seat":"' .. h.b .. '"}]}')
	end
	if seat >= 1560 then
		cursor = cursor + nthreads
		seat = 0
	end
	local sid = sids[cursor] or sids[#sids]
	local r, c = math.floor(seat / 60), seat % 60 + 1
	seat = seat + 2
	local a = string.char(65 + r) .. c
	local b = string.char(65 + r) .. (c + 1)
	pending_seats = {a, b}
	return post("/seat/hold", '{"screeningId":' .. sid .. ',"seats":["' .. a .. '","' .. b .. '"]}')
end

function response(status, headers, body)
	local id = body:match('"holdId":(%d+)')
	if id then
		holds = holds + 1
		local a, b = body:match('"seats":%["([A-Z]%d+)","([A-Z]%d+)"%]')
		table.insert(queue, {id = id, a = a, b = b})
	elseif status == 200 and body:match('"statusText":"pending"') then
		orders = orders + 1
	else
		errors = errors + 1
	end
end

function done(summary, latency, requests)
	local h, o, e = 0, 0, 0
	for _, t in ipairs(threads) do
		h = h + t:get("holds")
		o = o + t:get("orders")
		e = e + t:get("errors")
	end
	io.write(string.format("RESULT requests=%d duration_us=%d holds=%d orders=%d errors=%d " ..
		"p50_us=%d p99_us=%d non2xx=%d\n", summary.requests, summary.duration, h, o, e,
		latency:percentile(50), latency:percentile(99), summary.errors.status))
end
