-- POSTs one fixed OpenAI chat body per request and prints a machine-readable result line at the end.
--   BENCH_BODY      file holding the JSON body
--   BENCH_HEADERS   extra headers, "name: value" pairs separated by "|"
--   BENCH_RATE      requests per second in all, arriving evenly spaced (0 or unset = closed loop, as fast as possible)
--   BENCH_DELAY_MS  pause of each connection between requests; the connections stay in step, so this sends
--                   bursts of `connections` requests every BENCH_DELAY_MS (ignored when BENCH_RATE is set)
--   BENCH_HISTOGRAM file to append the run's latency histogram to ("µs count" lines), so that several runs of a case
--                   give one percentile over all their requests
local function read_all(path)
  local file = assert(io.open(path, "rb"), "cannot open BENCH_BODY " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = read_all(os.getenv("BENCH_BODY"))
wrk.headers["Content-Type"] = "application/json"
for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
if rate > 0 then
  -- Constant arrival rate (what wrk2 does): one shared schedule, a slot every 1000/rate ms, handed to whichever
  -- connection is free next. A fixed pause per connection instead keeps the connections in step, so they send
  -- their requests together: bursts of `connections` requests, not a rate. A slot that has already passed (every
  -- connection was busy) is not caught up on: the achieved req/s then shows the shortfall.
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 / rate
  local next_slot = 0
  function delay()
    local now = now_ms()
    local slot = math.max(next_slot, now)
    next_slot = slot + interval
    -- wrk's timers count whole milliseconds.
    return math.floor(slot - now + 0.5)
  end
elseif delay_ms > 0 then
  function delay() return delay_ms end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d mean_us=%.0f errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
  local histogram = os.getenv("BENCH_HISTOGRAM") or ""
  if histogram ~= "" then
    local file = assert(io.open(histogram, "a"), "cannot open BENCH_HISTOGRAM " .. histogram)
    -- latency(i) is the i-th distinct latency in µs and how many requests took it.
    for i = 1, #latency do
      local value, count = latency(i)
      file:write(string.format("%d %d\n", value, count))
    end
    file:close()
  end
end
