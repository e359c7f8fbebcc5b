-- wrk script: every request carries a Host header never sent before (flood-<n>.<run>.example.org),
-- as a scanner or a misconfigured client would. Hipache answers them from its frontend:* keys.
local n = 0
local run = os.getenv("FLOOD_RUN") or tostring(os.time())

request = function()
  n = n + 1
  return wrk.format("GET", "/", { Host = "flood-" .. n .. "." .. run .. ".example.org" })
end
