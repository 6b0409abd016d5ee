// Bytes in Redis per reliable session, idle and with buffered messages (MEMORY USAGE), for
// the README. A figure printer, not a test: `pnpm exec tsx --conditions=@tethered/source
// packages/redis/test/memory.bench.ts`.

import { createSocketServer } from '@tethered/server'
import { Redis } from 'ioredis'
import { startRedis } from '../../../test/support/redis-server'
import { redisAdapter } from '../src/index'
import { rawSession } from './support/raw-session'

const redis = await startRedis()
const admin = new Redis(redis.url)
const prefix = 'mem:'
const adapter = redisAdapter({ url: redis.url, prefix })
const server = createSocketServer({ port: 0, host: '127.0.0.1', delivery: 'reliable', adapter })
await server.ready
await adapter.ready
const url = `ws://127.0.0.1:${server.address()?.port}/`

const session = () => rawSession(url)

const usage = async (key: string) =>
  Number((await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0)
const sessionKeys = async () => (await admin.keys(`${prefix}s:*`)).sort()

const sockets = []
for (let i = 0; i < 100; i++) sockets.push(await session())
await new Promise((resolve) => setTimeout(resolve, 200))
const hashes = await sessionKeys()
let idle = 0
for (const key of hashes) idle += await usage(key)
let registry = 0
const reg = Number(await admin.call('MEMORY', 'USAGE', `${prefix}reg`, 'SAMPLES', '0'))
registry = reg / hashes.length
console.log(`sessions: ${hashes.length}`)
console.log(
  `idle session (hash, log empty): ${Math.round(idle / hashes.length)} B; registry entry: ~${Math.round(registry)} B`,
)

for (const size of [100, 1024]) {
  const payload = 'x'.repeat(size)
  // Nobody acknowledges: each message stays in every session's log.
  for (let n = 0; n < 10; n++) server.broadcast('news', payload)
  await new Promise((resolve) => setTimeout(resolve, 500))
  let logs = 0
  for (const key of hashes) logs += await usage(key.replace(':s:', ':l:'))
  const messages = Number(await admin.llen(hashes[0]!.replace(':s:', ':l:')))
  console.log(
    `${messages} buffered messages of ${size} B payload: ${Math.round(logs / hashes.length)} B of log per session, ~${Math.round(logs / hashes.length / messages)} B per message`,
  )
  for (const key of hashes) await admin.del(key.replace(':s:', ':l:'))
  await admin.call('MEMORY', 'PURGE')
  // The local copies still hold them: numbering goes on, the Redis logs start over.
  for (const ws of sockets) ws.terminate()
  sockets.length = 0
  for (let i = 0; i < 100; i++) sockets.push(await session())
  await new Promise((resolve) => setTimeout(resolve, 200))
  hashes.splice(0, hashes.length, ...(await sessionKeys()).filter((k) => !hashes.includes(k)))
}
const blog = await usage(`${prefix}blog`)
console.log(`reliable broadcast log: ${await admin.llen(`${prefix}blog`)} entries, ${blog} B`)
for (const ws of sockets) ws.terminate()
await server.close({ timeout: 200 })
admin.disconnect()
await redis.stop()
