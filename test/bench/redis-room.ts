// Reliable room broadcast on @tethered/redis, not a test: one instance in this process on a
// real redis-server, rooms of BENCH_ROOMS members (10,100,1000), raw `ws` reliable sessions
// in this process that never acknowledge. Per room it sends BENCH_BROADCASTS (20) room
// emits of a BENCH_PAYLOAD (100) B string and prints Redis commands per member per
// broadcast (INFO commandstats delta) and ms per broadcast and per member (first emit to
// the last member's receipt). Then BENCH_DETACHED (1000) sessions are opened and dropped:
// Redis used_memory per detached session, idle (log empty), and per buffered message after
// BENCH_BUFFERED (10) room emits reach their logs.
//
//   node --expose-gc --conditions=@tethered/source --import tsx test/bench/redis-room.ts
//
// (`pnpm bench redis-room` runs it too.) Needs Debian's redis-server.

import { spawnSync } from 'node:child_process'
import { createSocketServer } from '@tethered/server'
import type { WebSocket } from 'ws'
import { redisAdapter } from '../../packages/redis/src/index'
import { rawSession } from '../../packages/redis/test/support/raw-session'
import { machine, writeResults } from '../support/bench'
import { startRedis } from '../support/redis-server'
import { waitFor } from '../support/wait'

const ROOMS = (process.env.BENCH_ROOMS ?? '10,100,1000').split(',').map(Number)
const BROADCASTS = Number(process.env.BENCH_BROADCASTS ?? 20)
const PAYLOAD = 'x'.repeat(Number(process.env.BENCH_PAYLOAD ?? 100))
const DETACHED = Number(process.env.BENCH_DETACHED ?? 1000)
const BUFFERED = Number(process.env.BENCH_BUFFERED ?? 10)

const redis = await startRedis()
/** Debian's redis-cli, next to its redis-server: the root package has no Redis client. */
const cli = async (...args: string[]) =>
  spawnSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).stdout
const prefix = 'room:'
const adapter = redisAdapter({ url: redis.url, prefix })
const server = createSocketServer({ port: 0, host: '127.0.0.1', delivery: 'reliable', adapter })
let room = ''
server.on('connection', (client) => client.join(room))
await server.ready
await adapter.ready
const url = `ws://127.0.0.1:${server.address()?.port}/`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Member {
  readonly ws: WebSocket
  received: number
}

/** A reliable session by hand; then its frames are counted. */
async function member(): Promise<Member> {
  const m: Member = { ws: await rawSession(url), received: 0 }
  m.ws.on('message', () => m.received++)
  return m
}

async function open(name: string, count: number): Promise<Member[]> {
  room = name
  const members: Member[] = []
  // In steps of 50, so the handshakes do not all queue at once.
  for (let i = 0; i < count; i += 50)
    members.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, member))))
  return members
}

/** Calls per command since the last CONFIG RESETSTAT, without the bench's own. */
async function commands(): Promise<Record<string, number>> {
  const info = await cli('INFO', 'commandstats')
  const calls: Record<string, number> = {}
  for (const [, name, n] of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g))
    if (name && !/^(info|config|memory)/.test(name)) calls[name] = Number(n)
  return calls
}

const usedMemory = async () => {
  await cli('MEMORY', 'PURGE')
  return Number(/used_memory:(\d+)/.exec(await cli('INFO', 'memory'))?.[1] ?? 0)
}

const rooms = []
for (const size of ROOMS) {
  const members = await open(`r${size}`, size)
  await sleep(200)
  await cli('CONFIG', 'RESETSTAT')
  const start = performance.now()
  for (let n = 0; n < BROADCASTS; n++) server.to(`r${size}`).emit('news', PAYLOAD)
  await waitFor(() => members.every((m) => m.received >= BROADCASTS), 60_000, `room of ${size}`)
  const ms = performance.now() - start
  const calls = await commands()
  const total = Object.values(calls).reduce((a, b) => a + b, 0)
  rooms.push({
    members: size,
    // Commands a script runs count in commandstats too: EVALSHA is the round trip.
    commandsPerMemberPerBroadcast: Number((total / size / BROADCASTS).toFixed(2)),
    scriptCallsPerMemberPerBroadcast: Number(((calls.evalsha ?? 0) / size / BROADCASTS).toFixed(2)),
    msPerBroadcast: Number((ms / BROADCASTS).toFixed(2)),
    msPerMember: Number((ms / BROADCASTS / size).toFixed(4)),
    commands: calls,
  })
  for (const m of members) m.ws.terminate()
}
// The rooms' sessions linger (detached) until maxAge: they stay in the baseline below.
await sleep(500)
const before = await usedMemory()
const detached = await open('detached', DETACHED)
for (const m of detached) m.ws.terminate()
await sleep(1_000)
const idle = await usedMemory()
for (let n = 0; n < BUFFERED; n++) server.to('detached').emit('news', PAYLOAD)
await sleep(1_000)
const buffered = await usedMemory()
const memory = {
  detachedSessions: DETACHED,
  bytesPerIdleSession: Math.round((idle - before) / DETACHED),
  bufferedPerSession: BUFFERED,
  payloadBytes: PAYLOAD.length,
  bytesPerBufferedMessage: Math.round((buffered - idle) / DETACHED / BUFFERED),
  logLength: Number(
    await cli(
      'EVAL',
      "local k = redis.call('KEYS', ARGV[1])[1] return k and redis.call('LLEN', k) or 0",
      '0',
      `${prefix}l:*`,
    ),
  ),
  usedMemory: { before, idle, buffered },
}
console.log(machine())
console.table(rooms.map(({ commands: _, ...r }) => r))
console.log('commands (largest room):', rooms.at(-1)?.commands)
console.log(memory)
writeResults('redis-room', { broadcasts: BROADCASTS, payloadBytes: PAYLOAD.length, rooms, memory })
await server.close({ timeout: 500 })
await redis.stop()
process.exit(0)
