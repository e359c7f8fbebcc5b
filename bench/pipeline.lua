-- wrk script: each connection sends `depth` requests in one write, then reads their answers.
-- usage: wrk ... -s bench/pipeline.lua -- 10
local depth = 10

function init(args)
  depth = tonumber(args[1]) or depth
  local reqs = {}
  for i = 1, depth do
    reqs[i] = wrk.format(nil, "/p" .. i)
  end
  req = table.concat(reqs)
end

function request()
  return req
end
