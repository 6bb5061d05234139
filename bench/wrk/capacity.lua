-- chat.lua's paced POSTs, plus a tally of what came back for bench/capacity.sh: 200s, clean 429s (the OpenAI error
-- envelope with code rate_limit_exceeded and a Retry-After header) and anything else. One wrk thread (-t1): the
-- tallies live in the thread that answers, and done() reads them from there.
dofile(os.getenv("BENCH_ROOT") .. "/bench/wrk/chat.lua")

-- Globals, not locals: thread:get() reads a thread's globals.
ok, clean429, other, retry_min, retry_max = 0, 0, 0, nil, nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    return
  end
  local retry = tonumber(headers["Retry-After"] or headers["retry-after"] or "")
  if status == 429 and retry and string.find(body, '"code":"rate_limit_exceeded"', 1, true) then
    clean429 = clean429 + 1
    retry_min = math.min(retry_min or retry, retry)
    retry_max = math.max(retry_max or retry, retry)
  else
    other = other + 1
    if other <= 3 then io.stderr:write("unexpected answer " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end

local chat_done = done
function done(summary, latency, requests)
  chat_done(summary, latency, requests)
  local thread = threads[1]
  io.write(string.format("STATUSES ok=%d clean_429=%d other=%d retry_after_min=%s retry_after_max=%s\n",
    thread:get("ok"), thread:get("clean429"), thread:get("other"),
    tostring(thread:get("retry_min") or "-"), tostring(thread:get("retry_max") or "-")))
end
