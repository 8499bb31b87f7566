-- wrk script: post one filled-in questionnaire per request, each with its own submission key.
-- The body (answers and a CSRF token) and the session cookie come from the environment, fetched
-- once by scripts/bench.py with an ordinary GET of the questionnaire page; so do the keys, made
-- for that browser as the server makes them, one a line in BENCH_KEYS, split between threads.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  local count = tonumber(os.getenv("BENCH_THREADS"))
  local line = 0
  keys = {}
  for key in io.lines(os.getenv("BENCH_KEYS")) do
    if line % count == thread_number - 1 then
      keys[#keys + 1] = key
    end
    line = line + 1
  end
  body = os.getenv("BENCH_BODY") .. "&submission_key="
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, body .. keys[(sent - 1) % #keys + 1])
end
