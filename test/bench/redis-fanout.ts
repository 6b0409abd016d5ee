// Cross-instance fan-out on @tethered/redis, not a test: 1 KB plain room emits to
// BENCH_CLIENTS (3000) raw `ws` clients in this process, spread by the round-robin balancer
// over instances in processes of their own: one instance on the memory adapter, one on
// Redis, three on Redis. The bench sends each emit to the first instance over IPC with its
// send time; clients (this process, one clock) take publish → receive latency. For
// BENCH_SECONDS (10) per setup, BENCH_WINDOW (8) emits are in flight at most. Prints
// delivered msgs/s, its ratio to the single memory instance, latency p50 / p99.
//
//   node --expose-gc --conditions=@tethered/source --import tsx test/bench/redis-fanout.ts
//
// Needs Debian's redis-server.
import type { ChildProcess } from 'node:child_process'
import { WebSocket } from 'ws'
import { spawnInstance } from '../../packages/redis/test/support/instance-spawn'
import { startRoundRobin } from '../../packages/redis/test/support/round-robin'
import { machine, writeResults } from '../support/bench'
import { startRedis } from '../support/redis-server'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 3000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8)
const PAD = 'x'.repeat(1000)

const redis = await startRedis()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const child = (adapter: string, prefix: string) =>
  spawnInstance({ REDIS_URL: redis.url, PREFIX: prefix, DELIVERY: 'plain', ADAPTER: adapter })

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

async function setup(name: string, instances: number, adapter: string) {
  const children = await Promise.all(
    Array.from({ length: instances }, () => child(adapter, `fan${name.length}${instances}:`)),
  )
  const balancer = await startRoundRobin(children.map((c) => c.port))
  let delivered = 0
  const got = new Map<number, number>()
  const latencies: number[] = []
  let frameBytes = 0
  const sockets: WebSocket[] = []
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = Array.from({ length: Math.min(100, CLIENTS - i) }, () => {
      const ws = new WebSocket(balancer.url())
      ws.on('message', (data: Buffer) => {
        const now = performance.now()
        // The head only: {"type":"news","data":{"seq":N,"t":T,...
        const head = /"seq":(\d+),"t":([\d.]+)/.exec(data.toString('latin1', 0, 80))
        if (!head) return
        frameBytes = data.length
        delivered++
        latencies.push(now - Number(head[2]))
        const seq = Number(head[1])
        got.set(seq, (got.get(seq) ?? 0) + 1)
      })
      sockets.push(ws)
      return new Promise((resolve) => ws.once('open', resolve))
    })
    await Promise.all(batch)
  }
  await sleep(500)
  const publisher = children[0]?.process as ChildProcess
  let seq = 0
  let complete = 0
  const send = () => publisher.send({ emit: { seq: ++seq, t: performance.now(), pad: PAD } })
  const start = performance.now()
  for (let i = 0; i < WINDOW; i++) send()
  while (performance.now() - start < SECONDS * 1000) {
    while ((got.get(complete + 1) ?? 0) >= CLIENTS) {
      got.delete(++complete)
      send()
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  const seconds = (performance.now() - start) / 1000
  const sorted = Float64Array.from(latencies).sort()
  for (const ws of sockets) ws.terminate()
  await balancer.close()
  for (const c of children) c.process.kill('SIGKILL')
  return {
    setup: name,
    clients: CLIENTS,
    frameBytes,
    broadcasts: complete,
    deliveredPerSecond: Math.round(delivered / seconds),
    p50ms: Number(percentile(sorted, 0.5).toFixed(2)),
    p99ms: Number(percentile(sorted, 0.99).toFixed(2)),
  }
}

const rows = [
  await setup('1 instance, memory', 1, 'memory'),
  await setup('1 instance, redis', 1, 'redis'),
  await setup('3 instances, redis', 3, 'redis'),
]
const base = rows[0]
const table = rows.map((r) => ({
  ...r,
  ratio: Number((r.deliveredPerSecond / (base?.deliveredPerSecond ?? 1)).toFixed(2)),
  addedP50ms: Number((r.p50ms - (base?.p50ms ?? 0)).toFixed(2)),
  addedP99ms: Number((r.p99ms - (base?.p99ms ?? 0)).toFixed(2)),
}))
console.log(machine())
console.table(table)
writeResults('redis-fanout', { seconds: SECONDS, window: WINDOW, rows: table })
await redis.stop()
process.exit(0)
