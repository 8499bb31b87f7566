-- wrk script: post one filled-in questionnaire per request, each with its own submission key.
-- The body (answers and a CSRF token), the session cookie and a salt for this run come from the
-- environment, fetched once by scripts/bench.py with an ordinary GET of the questionnaire page.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_letter", string.char(96 + threads))
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  body = os.getenv("BENCH_BODY") .. "&submission_key=" .. os.getenv("BENCH_SALT") .. thread_letter
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, body .. string.format("%019d", sent))
end
