// A load smoke run of @tethered/redis, not a test: 3 instances, each in a process of its own
// behind a round-robin TCP balancer, BENCH_CLIENTS reliable clients each (300), all in one
// room fed with BENCH_RATE reliable broadcasts/s (50) for BENCH_SECONDS (30) by a publisher
// instance in this process; the first instance is SIGKILLed half-way. It prints, over every
// client, messages lost, doubled and out of order, sessions not resumed, the instances'
// `error` events, and Redis `used_memory` at the start, the kill and the end.
//
//   pnpm exec tsx --conditions=@tethered/source test/bench/redis-smoke.ts
//
// BENCH_LEASE sets the instances' lease (10000, the default). Needs Debian's redis-server
// and redis-cli.
import { spawnSync } from 'node:child_process'
import { type Connection, createConnection, reliable } from '@tethered/core'
import { createSocketServer } from '@tethered/server'
import { WebSocket } from 'ws'
import { redisAdapter } from '../../packages/redis/src/index'
import { spawnInstance } from '../../packages/redis/test/support/instance-spawn'
import { startRoundRobin } from '../../packages/redis/test/support/round-robin'
import { machine, writeResults } from '../support/bench'
import { startRedis } from '../support/redis-server'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 300)
const RATE = Number(process.env.BENCH_RATE ?? 50)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30)
const LEASE = Number(process.env.BENCH_LEASE ?? 10_000)
const INSTANCES = 3
/** After the last broadcast, how long clients get to catch up before counting. */
const SETTLE = 30_000

const redis = await startRedis()
const prefix = 'smoke:'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const child = () => spawnInstance({ REDIS_URL: redis.url, PREFIX: prefix, LEASE: String(LEASE) })

/** Debian's redis-cli, next to its redis-server: the root package has no Redis client. */
const usedMemory = async () => {
  const info = spawnSync('redis-cli', ['-p', String(redis.port), 'info', 'memory'], {
    encoding: 'utf8',
  }).stdout
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0)
}

const children = await Promise.all(Array.from({ length: INSTANCES }, () => child()))
const balancer = await startRoundRobin(children.map((c) => c.port))
const adapter = redisAdapter({ url: redis.url, prefix, lease: LEASE })
const publisher = createSocketServer({
  port: 0,
  host: '127.0.0.1',
  delivery: 'reliable',
  adapter,
})
const publisherErrors: string[] = []
publisher.on('error', (error) => publisherErrors.push(error.message))
await publisher.ready
await adapter.ready

interface Client {
  readonly c: Connection<unknown, string>
  readonly received: number[]
  readonly resumed: (boolean | null)[]
}

const clients: Client[] = []
for (let i = 0; i < CLIENTS * INSTANCES; i++) {
  const c: Connection<unknown, string> = createConnection(balancer.url(), {
    WebSocket,
    batch: 'sync',
    parse: false,
    delivery: reliable,
  })
  const x: Client = { c, received: [], resumed: [] }
  c.on('message', (event) =>
    x.received.push((JSON.parse(String(event.data)) as { data: number }).data),
  )
  c.on('session', (info) => x.resumed.push(info.resumed))
  clients.push(x)
  // Opened in steps, as a real crowd arrives.
  if (i % 50 === 49) await sleep(50)
}
const connectDeadline = performance.now() + 60_000
while (clients.some((x) => x.resumed.length === 0)) {
  if (performance.now() > connectDeadline) throw new Error('clients did not all get a session')
  await sleep(50)
}
const memory = { start: await usedMemory(), middle: 0, end: 0 }
console.log(`${clients.length} reliable clients on ${INSTANCES} instances; feeding…`)

const total = RATE * SECONDS
const started = performance.now()
let lateTicks = 0
for (let n = 1; n <= total; n++) {
  publisher.to('feed').emit('news', n)
  if (n === Math.floor(total / 2)) {
    memory.middle = await usedMemory()
    const victim = children[0] as Awaited<ReturnType<typeof child>>
    if (victim.process.pid) process.kill(victim.process.pid, 'SIGKILL')
    console.log(`killed instance 1 at message ${n}`)
  }
  const due = started + (n * 1000) / RATE
  const wait = due - performance.now()
  if (wait > 0) await sleep(wait)
  else if (wait < -1000 / RATE) lateTicks++
}
const fed = (performance.now() - started) / 1000

const settleDeadline = performance.now() + SETTLE
while (clients.some((x) => new Set(x.received).size < total)) {
  if (performance.now() > settleDeadline) break
  await sleep(100)
}
const settled = (performance.now() - started) / 1000 - fed
memory.end = await usedMemory()

let lost = 0
let doubled = 0
let outOfOrder = 0
let clientsLosing = 0
let clientsDoubling = 0
let clientsDisordered = 0
let moved = 0
let notResumed = 0
for (const x of clients) {
  const distinct = new Set(x.received)
  const l = total - distinct.size
  const d = x.received.length - distinct.size
  let o = 0
  for (let i = 1; i < x.received.length; i++)
    if ((x.received[i] as number) < (x.received[i - 1] as number)) o++
  lost += l
  doubled += d
  outOfOrder += o
  if (l > 0) clientsLosing++
  if (d > 0) clientsDoubling++
  if (o > 0) clientsDisordered++
  if (x.resumed.length > 1) moved++
  notResumed += x.resumed.slice(1).filter((r) => r !== true).length
}

/** Error messages grouped, with how often each came. */
const grouped = (messages: readonly string[]) => {
  const counts = new Map<string, number>()
  for (const m of messages) {
    const key = m.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>').replace(/\d+/g, 'N')
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return Object.fromEntries(counts)
}

const results = {
  clients: clients.length,
  instances: INSTANCES,
  rate: RATE,
  seconds: SECONDS,
  lease: LEASE,
  broadcasts: total,
  feedSeconds: Number(fed.toFixed(1)),
  lateTicks,
  settleSeconds: Number(settled.toFixed(1)),
  lost,
  doubled,
  outOfOrder,
  clientsLosing,
  clientsDoubling,
  clientsDisordered,
  clientsMoved: moved,
  sessionsNotResumed: notResumed,
  usedMemory: memory,
  survivorErrors: grouped(children.slice(1).flatMap((c) => c.errors)),
  publisherErrors: grouped(publisherErrors),
}
console.log(machine())
console.log(results)
writeResults('redis-smoke', results)

for (const x of clients) x.c.dispose()
await publisher.close({ timeout: 1_000 })
await balancer.close()
for (const c of children) if (c.process.exitCode === null && c.process.pid) c.process.kill()
await redis.stop()
process.exit(0)
