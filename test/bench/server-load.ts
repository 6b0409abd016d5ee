// Server load: 5,000 concurrent loopback connections with heartbeat on, a 1 KB broadcast to
// all of them, @tethered/server against a plain `ws` broadcast loop in the same run
// (alternating rounds, median), memory per idle connection, and the time close() takes to
// drain everyone.
//
//   pnpm exec tsx --conditions=@tethered/source test/bench/server-load.ts
//
// The servers run in this process and the 10,000 client sockets (5,000 per server) in one
// forked child, so the run uses two cores and each process stays within `ulimit -n`.
// BENCH_CONNECTIONS, BENCH_ROUNDS and BENCH_BURST override 5000, 40 and 4. Short rounds, many
// of them: on a shared machine the load of other processes moves from second to second,
// and the ratio is taken per pair of neighbouring rounds, then the median of those.
import { type ChildProcess, fork, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createSocketServer } from '@tethered/server'
import { type RawData, WebSocket, WebSocketServer } from 'ws'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 5_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40)
/** Messages per broadcast round: each goes to every connection. */
const BURST = Number(process.env.BENCH_BURST ?? 4)
const WARMUP = 2
const HEARTBEAT_INTERVAL = 5_000
/** Each client sends a text 'ping' this often (staggered), as the core client's heartbeat does. */
const CLIENT_PING_EVERY = 15_000
const OPEN_CONCURRENCY = 200
const STEP_TIMEOUT = 60_000
const WATCHDOG = 150_000
const RESULTS = new URL('./results/server-load.json', import.meta.url)

type Target = 'tethered' | 'ws'

type ToChild =
  | { cmd: 'connect'; target: Target; url: string; count: number }
  | { cmd: 'expect'; target: Target; total: number }
  | { cmd: 'exit' }

type FromChild =
  | { event: 'connected'; target: Target; failed: number }
  | { event: 'armed'; target: Target }
  | { event: 'received'; target: Target }
  | { event: 'closed'; target: Target }

// ---------------------------------------------------------------- child: the clients

function runClients(): void {
  const sockets: Record<Target, WebSocket[]> = { tethered: [], ws: [] }
  const received: Record<Target, number> = { tethered: 0, ws: 0 }
  const expected: Record<Target, number> = { tethered: 0, ws: 0 }
  const open: Record<Target, number> = { tethered: 0, ws: 0 }
  const send = (message: FromChild) => process.send?.(message)

  const connect = async (target: Target, url: string, count: number) => {
    let failed = 0
    let next = 0
    // Sockets of a server drained earlier are gone.
    const list = sockets[target].filter((ws) => ws.readyState === WebSocket.OPEN)
    sockets[target] = list
    const openOne = () =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(url, { perMessageDeflate: false })
        ws.on('message', (data: RawData) => {
          // Broadcasts are 1 KB; the only short messages are heartbeat answers.
          if ((data as Buffer).length < 64) return
          if (++received[target] === expected[target]) send({ event: 'received', target })
        })
        ws.once('open', () => {
          list.push(ws)
          open[target]++
          resolve()
        })
        ws.once('close', () => {
          if (--open[target] === 0) send({ event: 'closed', target })
        })
        ws.once('error', () => {
          failed++
          resolve()
        })
      })
    const worker = async () => {
      while (next < count) {
        next++
        await openOne()
      }
    }
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker))
    send({ event: 'connected', target, failed })
  }

  // The client heartbeat: every socket says 'ping' once per CLIENT_PING_EVERY, spread out.
  let slot = 0
  const SLOTS = CLIENT_PING_EVERY / 1_000
  setInterval(() => {
    slot = (slot + 1) % SLOTS
    for (const target of ['tethered', 'ws'] as const) {
      const list = sockets[target]
      for (let i = slot; i < list.length; i += SLOTS) {
        const ws = list[i]!
        if (ws.readyState === WebSocket.OPEN) ws.send('ping')
      }
    }
  }, 1_000).unref()

  process.on('message', (message: ToChild) => {
    if (message.cmd === 'connect') void connect(message.target, message.url, message.count)
    else if (message.cmd === 'expect') {
      received[message.target] = 0
      expected[message.target] = message.total
      send({ event: 'armed', target: message.target })
    } else process.exit(0)
  })
}

// ---------------------------------------------------------------- parent: the servers

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

function fdLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

class ChildLink {
  private readonly waiters: Array<{
    match: (m: FromChild) => boolean
    resolve: (m: FromChild) => void
  }> = []
  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromChild) => {
      const index = this.waiters.findIndex((w) => w.match(message))
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message)
    })
  }
  send(message: ToChild): void {
    this.child.send(message)
  }
  wait<E extends FromChild['event']>(
    event: E,
    target: Target,
    label: string,
  ): Promise<Extract<FromChild, { event: E }>> {
    let timer: ReturnType<typeof setTimeout> | undefined
    return Promise.race([
      new Promise<Extract<FromChild, { event: E }>>((resolve) => {
        this.waiters.push({
          match: (m) => m.event === event && m.target === target,
          resolve: (m) => resolve(m as Extract<FromChild, { event: E }>),
        })
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), STEP_TIMEOUT)
      }),
    ]).finally(() => clearTimeout(timer))
  }
}

interface Memory {
  heapUsed: number
  external: number
  rss: number
}

function memory(gc: () => void): Memory {
  gc()
  gc()
  const m = process.memoryUsage()
  return { heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss }
}

interface Servers {
  tethered: ReturnType<typeof createSocketServer>
  plain: WebSocketServer
  urls: Record<Target, string>
  broadcast(target: Target, data: unknown): void
  count(target: Target): number
  /** Closes every client of one server; resolves when all are gone. */
  drain(target: Target): Promise<unknown>
}

async function startServers(): Promise<Servers> {
  // Tethered, with its defaults (heartbeat sweeps, text heartbeat, rate limit, backpressure).
  const tethered = createSocketServer({
    port: 0,
    host: '127.0.0.1',
    heartbeat: { interval: HEARTBEAT_INTERVAL },
  })
  await tethered.ready

  // The plain `ws` server as its README shows it: isAlive ping sweeps, and the same text
  // heartbeat answer so both do the same work.
  const plain = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    perMessageDeflate: false,
    maxPayload: 1024 * 1024,
  })
  await new Promise<void>((resolve) => plain.once('listening', () => resolve()))
  const alive = new WeakMap<WebSocket, boolean>()
  plain.on('connection', (ws) => {
    alive.set(ws, true)
    ws.on('pong', () => alive.set(ws, true))
    ws.on('message', (data, isBinary) => {
      alive.set(ws, true)
      if (!isBinary && data.toString() === 'ping') ws.send('pong')
    })
    ws.on('error', () => {})
  })
  const sweep = setInterval(() => {
    for (const ws of plain.clients) {
      if (!alive.get(ws)) {
        ws.terminate()
        continue
      }
      alive.set(ws, false)
      ws.ping()
    }
  }, HEARTBEAT_INTERVAL)

  return {
    tethered,
    plain,
    urls: {
      tethered: `ws://127.0.0.1:${tethered.address()!.port}/`,
      ws: `ws://127.0.0.1:${(plain.address() as { port: number }).port}/`,
    },
    broadcast(target, data) {
      if (target === 'tethered') {
        tethered.broadcast('tick', data)
        return
      }
      // The loop from the ws README.
      const text = JSON.stringify({ type: 'tick', data })
      for (const ws of plain.clients) if (ws.readyState === WebSocket.OPEN) ws.send(text)
    },
    count: (target) => (target === 'tethered' ? tethered.stats.connections : plain.clients.size),
    async drain(target) {
      if (target === 'tethered') return tethered.close({ timeout: 30_000 })
      const gone = [...plain.clients].map(
        (ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
      )
      for (const ws of plain.clients) ws.close(1001, 'server shutting down')
      await Promise.all(gone)
      clearInterval(sweep)
      await new Promise<void>((resolve) => plain.close(() => resolve()))
      return { clients: gone.length }
    },
  }
}

// ---------------------------------------------------------------- memory child: one server

type ToMemory = { cmd: 'measure' } | { cmd: 'drain' }
type FromMemory =
  | { event: 'ready'; url: string; base: Memory }
  | { event: 'measured'; memory: Memory; connections: number }
  | { event: 'drained' }

async function runMemoryServer(target: Target): Promise<void> {
  const gc = gcFunction()
  const servers = await startServers()
  const send = (message: FromMemory) => process.send?.(message)
  send({ event: 'ready', url: servers.urls[target], base: memory(gc) })
  process.on('message', (message: ToMemory) => {
    if (message.cmd === 'measure') {
      send({ event: 'measured', memory: memory(gc), connections: servers.count(target) })
      return
    }
    void servers.drain(target).then(() => {
      send({ event: 'drained' })
      process.exit(0)
    })
  })
}

function nextMessage<E extends FromMemory['event']>(
  child: ChildProcess,
  event: E,
): Promise<Extract<FromMemory, { event: E }>> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    new Promise<Extract<FromMemory, { event: E }>>((resolve) => {
      const onMessage = (message: FromMemory) => {
        if (message.event !== event) return
        child.off('message', onMessage)
        resolve(message as Extract<FromMemory, { event: E }>)
      }
      child.on('message', onMessage)
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), STEP_TIMEOUT)
    }),
  ]).finally(() => clearTimeout(timer))
}

async function measureFresh(target: Target, link: ChildLink) {
  const server = fork(fileURLToPath(import.meta.url), ['memory', target], {
    execArgv: process.execArgv,
  })
  const { url, base } = await nextMessage(server, 'ready')
  link.send({ cmd: 'connect', target, url, count: CONNECTIONS })
  const { failed } = await link.wait('connected', target, `${target} connections (memory)`)
  if (failed > 0) throw new Error(`${failed} ${target} connections failed`)
  server.send({ cmd: 'measure' } satisfies ToMemory)
  const { memory: filled, connections } = await nextMessage(server, 'measured')
  if (connections !== CONNECTIONS) throw new Error(`${target} has ${connections} connections`)
  const clientsClosed = link.wait('closed', target, `${target} clients to close (memory)`)
  server.send({ cmd: 'drain' } satisfies ToMemory)
  await nextMessage(server, 'drained')
  await clientsClosed
  return {
    heapBytes: Math.round((filled.heapUsed - base.heapUsed) / CONNECTIONS),
    externalBytes: Math.round((filled.external - base.external) / CONNECTIONS),
    rssBytes: Math.round((filled.rss - base.rss) / CONNECTIONS),
  }
}

// ---------------------------------------------------------------- parent

async function runServers(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`server-load: still running after ${WATCHDOG / 1000} s, giving up`)
    process.exit(1)
  }, WATCHDOG)
  const started = performance.now()
  const limit = fdLimit()
  // This process holds one socket per connection per server, the child the same.
  const needed = CONNECTIONS * 2 + 64
  if (needed > limit) {
    throw new Error(
      `ulimit -n is ${limit}, ${needed} descriptors are needed per process: raise it (ulimit -n ${needed}) or set BENCH_CONNECTIONS`,
    )
  }
  const payload = { text: 'x'.repeat(1024 - 40), at: 0 }
  const size = Buffer.byteLength(JSON.stringify({ type: 'tick', data: payload }))
  const child = fork(fileURLToPath(import.meta.url), ['clients'], { execArgv: process.execArgv })
  const link = new ChildLink(child)

  // Connect and drain times depend on which server goes first, and the first fill of the
  // process also pays for warming up; so they are taken in two later passes, one in each
  // order, and averaged.
  const samples = {
    connectMs: { tethered: [] as number[], ws: [] as number[] },
    closeMs: { tethered: [] as number[], ws: [] as number[] },
  }
  const fill = async (servers: Servers, order: Target[], record: boolean) => {
    for (const target of order) {
      const t0 = performance.now()
      link.send({ cmd: 'connect', target, url: servers.urls[target], count: CONNECTIONS })
      const { failed } = await link.wait('connected', target, `${target} connections`)
      const ms = performance.now() - t0
      if (failed > 0) throw new Error(`${failed} ${target} connections failed`)
      if (servers.count(target) !== CONNECTIONS) {
        throw new Error(`${target} has ${servers.count(target)} connections`)
      }
      if (record) samples.connectMs[target].push(ms)
    }
  }
  const closeResults: unknown[] = []
  const drain = async (servers: Servers, order: Target[], record: boolean) => {
    for (const target of order) {
      const clientsClosed = link.wait('closed', target, `${target} clients to close`)
      const t0 = performance.now()
      const result = await servers.drain(target)
      if (record) samples.closeMs[target].push(performance.now() - t0)
      if (target === 'tethered') closeResults.push(result)
      await clientsClosed
    }
  }

  // Pass 1: the broadcast rounds.
  const first = await startServers()
  await fill(first, ['tethered', 'ws'], false)

  const rounds: Record<
    Target,
    Array<{ deliveredPerSec: number; sendLoopPerSec: number; ms: number }>
  > = {
    tethered: [],
    ws: [],
  }
  const total = CONNECTIONS * BURST
  let seq = 0
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order: Target[] = round % 2 ? ['ws', 'tethered'] : ['tethered', 'ws']
    for (const target of order) {
      link.send({ cmd: 'expect', target, total })
      await link.wait('armed', target, 'armed')
      const received = link.wait('received', target, `${target} round ${round}`)
      const t0 = performance.now()
      for (let i = 0; i < BURST; i++) {
        payload.at = ++seq
        first.broadcast(target, payload)
      }
      const loop = performance.now() - t0
      await received
      const ms = performance.now() - t0
      if (round >= WARMUP) {
        rounds[target].push({
          deliveredPerSec: total / (ms / 1000),
          sendLoopPerSec: total / (loop / 1000),
          ms,
        })
      }
    }
  }
  const tetheredStats = first.tethered.stats
  await drain(first, ['tethered', 'ws'], false)

  // Passes 2 and 3: the one-shot figures, in both orders.
  for (const order of [
    ['ws', 'tethered'],
    ['tethered', 'ws'],
  ] as Target[][]) {
    const servers = await startServers()
    await fill(servers, order, true)
    await drain(servers, order, true)
  }
  // Memory per idle connection: each server alone in a fresh process, so neither pays for
  // the other's heap growth and allocator pages (RSS is meaningless once pages are reused).
  const memoryPerConnection = {
    tethered: await measureFresh('tethered', link),
    ws: await measureFresh('ws', link),
  }
  link.send({ cmd: 'exit' })

  const summary = (target: Target) => ({
    deliveredPerSec: Math.round(median(rounds[target].map((r) => r.deliveredPerSec))),
    sendLoopPerSec: Math.round(median(rounds[target].map((r) => r.sendLoopPerSec))),
    roundMs: Math.round(median(rounds[target].map((r) => r.ms))),
  })
  const throughput = { tethered: summary('tethered'), ws: summary('ws') }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const oneShot = (key: keyof typeof samples) => ({
    tethered: Math.round(mean(samples[key].tethered)),
    ws: Math.round(mean(samples[key].ws)),
  })
  const figures = {
    heapBytes: {
      tethered: memoryPerConnection.tethered.heapBytes,
      ws: memoryPerConnection.ws.heapBytes,
    },
    rssBytes: {
      tethered: memoryPerConnection.tethered.rssBytes,
      ws: memoryPerConnection.ws.rssBytes,
    },
    connectMs: oneShot('connectMs'),
    closeMs: oneShot('closeMs'),
  }

  // Round i of each ran back to back, so they saw about the same machine.
  const paired = (key: 'deliveredPerSec' | 'sendLoopPerSec') =>
    median(rounds.tethered.map((r, i) => r[key] / rounds.ws[i]![key]))
  const ratio = paired('deliveredPerSec')
  const loopRatio = paired('sendLoopPerSec')
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const n = (value: number) => Math.round(value).toLocaleString('en-US')
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`
  const rows: string[][] = [
    ['', '@tethered/server', 'plain ws', 'ratio'],
    [
      'delivered msg/s (median of rounds)',
      n(throughput.tethered.deliveredPerSec),
      n(throughput.ws.deliveredPerSec),
      `${ratio.toFixed(2)}x`,
    ],
    [
      'send loop msg/s (median of rounds)',
      n(throughput.tethered.sendLoopPerSec),
      n(throughput.ws.sendLoopPerSec),
      `${loopRatio.toFixed(2)}x`,
    ],
    [
      'round time (median)',
      `${n(throughput.tethered.roundMs)} ms`,
      `${n(throughput.ws.roundMs)} ms`,
      x(throughput.tethered.roundMs, throughput.ws.roundMs),
    ],
    [
      'heap per idle connection',
      kb(figures.heapBytes.tethered),
      kb(figures.heapBytes.ws),
      x(figures.heapBytes.tethered, figures.heapBytes.ws),
    ],
    [
      'RSS per idle connection',
      kb(figures.rssBytes.tethered),
      kb(figures.rssBytes.ws),
      x(figures.rssBytes.tethered, figures.rssBytes.ws),
    ],
    [
      `open ${n(CONNECTIONS)} connections`,
      `${n(figures.connectMs.tethered)} ms`,
      `${n(figures.connectMs.ws)} ms`,
      x(figures.connectMs.tethered, figures.connectMs.ws),
    ],
    [
      `close(): ${n(CONNECTIONS)} drained`,
      `${n(figures.closeMs.tethered)} ms`,
      `${n(figures.closeMs.ws)} ms`,
      x(figures.closeMs.tethered, figures.closeMs.ws),
    ],
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')
  console.log(
    `\n${n(CONNECTIONS)} connections per server on loopback, ${size}-byte broadcast x ${BURST} per round, ` +
      `${ROUNDS} rounds each (+${WARMUP} warm-up), alternating; ping sweeps every ${HEARTBEAT_INTERVAL / 1000} s, ` +
      `client text ping every ${CLIENT_PING_EVERY / 1000} s. Throughput ratios: median over pairs of neighbouring rounds. Open and close: mean of both orders after a warm-up pass; memory: each server alone in a fresh process.`,
  )
  for (const row of rows) console.log(line(row))
  console.log(
    `tethered during the rounds: drops ${tetheredStats.drops}, terminations ${tetheredStats.terminations}, ` +
      `heartbeats answered ${tetheredStats.heartbeats}; close() -> ${JSON.stringify(closeResults)}`,
  )

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: availableParallelism(),
        loadavg: loadavg(),
        fdLimit: limit,
        config: {
          connections: CONNECTIONS,
          rounds: ROUNDS,
          warmup: WARMUP,
          burst: BURST,
          messageBytes: size,
          heartbeatInterval: HEARTBEAT_INTERVAL,
          clientPingEvery: CLIENT_PING_EVERY,
        },
        throughput,
        ratio,
        sendLoopRatio: loopRatio,
        rounds,
        figures,
        samples,
        memoryPerConnection,
        tetheredStats,
        closeResults,
        totalSeconds: (performance.now() - started) / 1000,
      },
      null,
      2,
    )}\n`,
  )
  console.log(
    `wrote ${fileURLToPath(RESULTS)} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  clearTimeout(watchdog)
}

if (process.argv[2] === 'clients') runClients()
else if (process.argv[2] === 'memory') void runMemoryServer(process.argv[3] as Target)
else
  runServers().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
