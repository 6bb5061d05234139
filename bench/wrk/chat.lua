-- POSTs one fixed OpenAI chat body per request and prints a machine-readable result line at the end.
--   BENCH_BODY      file holding the JSON body
--   BENCH_HEADERS   extra headers, "name: value" pairs separated by "|"
--   BENCH_DELAY_MS  pause of each connection between requests (0 = closed loop, as fast as possible);
--                   connections * 1000 / delay gives a paced rate, e.g. 10 connections, 10 ms: about 1k req/s
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
if delay_ms > 0 then
  function delay() return delay_ms end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d mean_us=%.0f errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
