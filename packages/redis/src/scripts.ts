/**
 * The Lua scripts: every change that must be atomic across instances runs as one script.
 * Session hashes (`s:<id>`) hold `o` (owner instance), `m` (member id), `k`
 * (identity key), `in` (last client message handled), `out` (last sequence given out), `b`
 * (last reliable broadcast the log has seen), `r` (rooms, JSON), `e` (epoch), `a` (maxAge).
 * The log (`l:<id>`) is a list of `<epoch ms>:<payload>`, message `out - LLEN + 1` first.
 * Registry values are `<instance>\t<member id>\t<1|0 present>`. Keys built inside a script
 * from the prefix (ARGV) mean a single Redis, not Redis Cluster.
 */

/** Appends a message if this instance owns the session; the script gives its sequence number. */
export const APPEND = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return -1 end
local b = tonumber(ARGV[5])
if b > 0 then redis.call('HSET', KEYS[1], 'b', b) end
local out = redis.call('HINCRBY', KEYS[1], 'out', 1)
if out ~= tonumber(ARGV[2]) then return -2 end
local n = redis.call('RPUSH', KEYS[2], ARGV[3])
local max = tonumber(ARGV[4])
if n > max then redis.call('LTRIM', KEYS[2], n - max, -1) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return out`

/** The client has everything up to ARGV[2]: the log drops it. */
export const ACK = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
local out = tonumber(redis.call('HGET', KEYS[1], 'out'))
local n = redis.call('LLEN', KEYS[2])
local drop = math.min(tonumber(ARGV[2]) - (out - n + 1) + 1, n)
if drop >= n then redis.call('DEL', KEYS[2]) elseif drop > 0 then redis.call('LTRIM', KEYS[2], drop, -1) end
return drop`

/** Sets fields (ARGV[2] on: name, value, ...) of a session this instance owns. */
export const SET_FIELD = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1`

/** A new session owned here. KEYS: s, l, owned set. */
export const OPEN = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'o', ARGV[1], 'm', ARGV[2], 'k', ARGV[3], 'in', 0, 'out', 0,
  'b', ARGV[5], 'r', '[]', 'e', ARGV[4], 'a', ARGV[6])
redis.call('SADD', KEYS[3], ARGV[7])
return 1`

/**
 * Takes a session over for this instance, if it belongs to the epoch and key asked for and
 * still holds every message after the client's ack (ARGV[2]). KEYS: s, l, owned set here.
 * ARGV: instance, ack, key ('' for any), epoch, now (epoch ms), session id, prefix.
 * Returns nil (unknown), 0 (known, not resumable: ended), or the session.
 */
export const CLAIM = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return nil end
local s = {}
for i = 1, #h, 2 do s[h[i]] = h[i + 1] end
local old = s['o'] or ''
local function tell(what)
  if old ~= '' and old ~= ARGV[1] then
    redis.call('PUBLISH', ARGV[7] .. 'i:' .. old, cjson.encode({'taken', ARGV[6]}))
    redis.call('SREM', ARGV[7] .. 'owned:' .. old, ARGV[6])
  end
end
if s['e'] ~= ARGV[4] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return nil
end
if ARGV[3] ~= '' and s['k'] ~= ARGV[3] then return nil end
local out = tonumber(s['out'])
local n = redis.call('LLEN', KEYS[2])
local first = out - n + 1
local cutoff = tonumber(ARGV[5]) - tonumber(s['a'])
local entries = redis.call('LRANGE', KEYS[2], 0, -1)
local expired = 0
for i = 1, #entries do
  local t = tonumber(string.sub(entries[i], 1, string.find(entries[i], ':') - 1))
  if t < cutoff then expired = i else break end
end
first = first + expired
local ack = tonumber(ARGV[2])
if ack > out or ack < first - 1 then
  tell()
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
local start = ack - (out - n + 1) + 1
if start >= n then redis.call('DEL', KEYS[2]) elseif start > 0 then redis.call('LTRIM', KEYS[2], start, -1) end
local keep = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('HSET', KEYS[1], 'o', ARGV[1])
redis.call('PERSIST', KEYS[1])
redis.call('SADD', KEYS[3], ARGV[6])
tell()
return {s['m'], s['k'], s['in'], s['out'], s['b'], s['r'], keep}`

/**
 * Ends a session this instance owns. One whose keys expired first (its client away past
 * maxAge: Redis and this instance's timer both end it) or that moved is no longer listed as
 * owned here either. KEYS: s, l, owned set.
 */
export const REMOVE = `
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`

/**
 * A session's client went away (ARGV[2] = 0: its keys expire after maxAge) or came back
 * (1: they are kept). Its registry entry says whether it is present. KEYS: s, l, registry.
 * ARGV: instance, present, identity key, member id.
 */
export const PRESENCE = `
if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then
  if ARGV[2] == '0' then
    local a = redis.call('HGET', KEYS[1], 'a')
    redis.call('PEXPIRE', KEYS[1], a)
    redis.call('PEXPIRE', KEYS[2], a)
  else
    redis.call('PERSIST', KEYS[1])
    redis.call('PERSIST', KEYS[2])
  end
end
local holder = ARGV[1] .. '\\t' .. ARGV[4] .. '\\t'
local v = redis.call('HGET', KEYS[3], ARGV[3])
if v and string.sub(v, 1, #holder) == holder then redis.call('HSET', KEYS[3], ARGV[3], holder .. ARGV[2]) end
return 1`

/**
 * Makes this member the holder of its key; an older holder on another instance is told to
 * close. KEYS: registry, keys held here. ARGV: key, value, instance, prefix.
 */
export const REGISTER = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
if old then
  local tab = string.find(old, '\\t')
  local inst = string.sub(old, 1, tab - 1)
  if inst ~= ARGV[3] then
    local rest = string.sub(old, tab + 1)
    local member = string.sub(rest, 1, string.find(rest, '\\t') - 1)
    redis.call('PUBLISH', ARGV[4] .. 'i:' .. inst, cjson.encode({'replace', ARGV[1], member}))
  end
end
return old`

/**
 * Releases the key if this member still holds it. A key another instance holds now (or no
 * one) is no longer listed as held here either, or the list would keep every identity that
 * ever moved away. KEYS: registry, keys held here. ARGV: key, holder prefix.
 */
export const UNREGISTER = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.sub(v, 1, #ARGV[2]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[1])
  return 1
end
local here = string.sub(ARGV[2], 1, string.find(ARGV[2], '\\t'))
if not v or string.sub(v, 1, #here) ~= here then redis.call('SREM', KEYS[2], ARGV[1]) end
return 0`

/** Who holds a key, if its instance is alive. KEYS: registry. ARGV: key, prefix. */
export const LOCATE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return nil end
local inst = string.sub(v, 1, string.find(v, '\\t') - 1)
if redis.call('EXISTS', ARGV[2] .. 'lease:' .. inst) == 0 then return nil end
return v`

/** One reliable broadcast, numbered and kept, then the doorbell. KEYS: counter, log. ARGV: entry, cap, channel. */
export const PUBLISH = `
local seq = redis.call('INCR', KEYS[1])
local entry = seq .. '\\n' .. ARGV[1]
local n = redis.call('RPUSH', KEYS[2], entry)
local cap = tonumber(ARGV[2])
if n > cap then redis.call('LTRIM', KEYS[2], n - cap, -1) end
redis.call('PUBLISH', ARGV[3], entry)
return seq`

/** Reliable broadcasts from ARGV[1] on: the number of the first one returned, then the entries. */
export const FETCH = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = redis.call('LLEN', KEYS[2])
local head = last - n + 1
local from = math.max(tonumber(ARGV[1]), head)
if from > last then return {from} end
local entries = redis.call('LRANGE', KEYS[2], from - head, -1)
table.insert(entries, 1, from)
return entries`

/**
 * A dead instance (its lease expired): its identities are released, its sessions left to
 * expire after maxAge unless a survivor takes them over. Only the first survivor to ask
 * does it. The sessions keep their owner: an instance that was only stalled past its lease
 * (not dead) still owns them when it runs again, and `KEEP` makes them last again. ARGV:
 * dead instance, prefix.
 */
export const REAP = `
local p = ARGV[2]
if redis.call('SREM', p .. 'instances', ARGV[1]) == 0 then return -1 end
if redis.call('EXISTS', p .. 'lease:' .. ARGV[1]) == 1 then
  redis.call('SADD', p .. 'instances', ARGV[1])
  return -1
end
local holder = ARGV[1] .. '\\t'
local released = 0
for _, key in ipairs(redis.call('SMEMBERS', p .. 'keys:' .. ARGV[1])) do
  local v = redis.call('HGET', p .. 'reg', key)
  if v and string.sub(v, 1, #holder) == holder then
    redis.call('HDEL', p .. 'reg', key)
    released = released + 1
  end
end
for _, id in ipairs(redis.call('SMEMBERS', p .. 'owned:' .. ARGV[1])) do
  local s = p .. 's:' .. id
  if redis.call('HGET', s, 'o') == ARGV[1] then
    local a = redis.call('HGET', s, 'a')
    redis.call('PEXPIRE', s, a)
    redis.call('PEXPIRE', p .. 'l:' .. id, a)
  end
end
redis.call('DEL', p .. 'keys:' .. ARGV[1], p .. 'owned:' .. ARGV[1])
return released`

/**
 * After this instance was reaped while alive: a session it still owns is listed as held
 * here again and, when its client is present, kept (no expiry). KEYS: s, l, owned set.
 * ARGV: instance, present (1/0), session id.
 */
export const KEEP = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('SADD', KEYS[3], ARGV[3])
if ARGV[2] == '1' then
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
end
return 1`

/**
 * After this instance was reaped while alive: its member holds its key again, unless an
 * instance has taken the key meanwhile (that holder is returned). KEYS: registry, keys held
 * here. ARGV: key, value, instance.
 */
export const RELIST = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.sub(v, 1, #ARGV[3] + 1) ~= ARGV[3] .. '\\t' then return v end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return false`

export const SCRIPTS = {
  tetheredAppend: { keys: 2, lua: APPEND },
  tetheredAck: { keys: 2, lua: ACK },
  tetheredSetField: { keys: 1, lua: SET_FIELD },
  tetheredOpen: { keys: 3, lua: OPEN },
  tetheredClaim: { keys: 3, lua: CLAIM },
  tetheredRemove: { keys: 3, lua: REMOVE },
  tetheredPresence: { keys: 3, lua: PRESENCE },
  tetheredRegister: { keys: 2, lua: REGISTER },
  tetheredUnregister: { keys: 2, lua: UNREGISTER },
  tetheredLocate: { keys: 1, lua: LOCATE },
  tetheredPublish: { keys: 2, lua: PUBLISH },
  tetheredFetch: { keys: 2, lua: FETCH },
  tetheredReap: { keys: 0, lua: REAP },
  tetheredKeep: { keys: 3, lua: KEEP },
  tetheredRelist: { keys: 2, lua: RELIST },
} as const

export type ScriptName = keyof typeof SCRIPTS
