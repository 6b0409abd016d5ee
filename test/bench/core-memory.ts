// @bench-flags: --expose-gc
// Memory: the heap left after 10,000 create/dispose cycles, and the heap each idle open
// connection costs, @tethered/core against raw `ws` and the peers.
//
//   pnpm build && node --expose-gc --import tsx test/bench/core-memory.ts
//
// It measures the build, as shipped: through tsx the sources get esbuild's `keepNames`,
// which adds ~250 bytes to every closure and about 6 KB to each connection (the table says
// which one ran). BENCH_CYCLES and BENCH_IDLE override the defaults (10000, 1000).
import { createConnection } from '@tethered/core'
import { WebSocket as PartySocket } from 'partysocket'
import ReconnectingWebSocket from 'reconnecting-websocket'
import { WebSocket } from 'ws'
import { coreBuild, machine, median, startFloodServer, writeResults } from '../support/bench'

const CYCLES = Number(process.env.BENCH_CYCLES ?? 10_000)
const IDLE = Number(process.env.BENCH_IDLE ?? 1_000)

const gcFn = (globalThis as { gc?: () => void }).gc
if (!gcFn) {
  console.error(
    'core-memory needs --expose-gc: node --expose-gc --import tsx test/bench/core-memory.ts',
  )
  process.exit(1)
}
const gc = gcFn

/** A client under test: open one connection, and let it go (resolving once its socket is closed). */
interface Subject {
  name: string
  open(url: string): { opened: Promise<void>; dispose(): Promise<void> }
}

const closedWs = (ws: WebSocket | null) =>
  new Promise<void>((resolve) => {
    if (!ws || ws.readyState === ws.CLOSED) resolve()
    else ws.once('close', () => resolve())
  })

const core = (name: string, heartbeat: boolean): Subject => ({
  name,
  open(url) {
    const connection = createConnection(url, { WebSocket, heartbeat })
    const opened = new Promise<void>((resolve) => connection.on('open', () => resolve()))
    return {
      opened,
      dispose() {
        const ws = connection.getWebSocket() as unknown as WebSocket | null
        connection.dispose()
        return closedWs(ws)
      },
    }
  },
})

/** The peers wrap a `ws` they create themselves: catch it to know when it is closed. */
const peer = (
  name: string,
  make: (
    url: string,
    Ctor: new (address: string, protocols?: string | string[]) => WebSocket,
  ) => {
    addEventListener(type: 'open', listener: () => void): void
    close(): void
  },
): Subject => ({
  name,
  open(url) {
    let inner: WebSocket | null = null
    class Caught extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols)
        inner = this
      }
    }
    const client = make(url, Caught)
    const opened = new Promise<void>((resolve) => client.addEventListener('open', () => resolve()))
    return {
      opened,
      dispose() {
        client.close()
        return closedWs(inner)
      },
    }
  },
})

const subjects: Subject[] = [
  {
    name: 'raw ws',
    open(url) {
      const ws = new WebSocket(url)
      ws.on('error', () => {})
      ws.on('message', () => {})
      const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()))
      return {
        opened,
        dispose() {
          ws.close()
          return closedWs(ws)
        },
      }
    },
  },
  core('@tethered/core', false),
  core('@tethered/core (heartbeat on)', true),
  peer(
    'reconnecting-websocket',
    (url, Ctor) => new ReconnectingWebSocket(url, [], { WebSocket: Ctor, maxRetries: 0 }),
  ),
  peer('partysocket', (url, Ctor) => new PartySocket(url, [], { WebSocket: Ctor, maxRetries: 0 })),
]

const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

async function main() {
  const server = await startFloodServer()
  const { url, drained } = server
  const build = coreBuild()
  console.log(
    `core-memory: ${CYCLES.toLocaleString('en')} create/dispose cycles and ${IDLE.toLocaleString('en')} idle connections per client, server in a worker thread`,
  )
  console.log(
    `  @tethered/core from ${build.from} (${build.path}); load average ${machine().loadAverage} on ${machine().cpus} cpus`,
  )
  if (build.from === 'source') {
    console.log(
      '  NOTE: measuring the sources through tsx (keepNames inflates closures): run `pnpm build` and drop --conditions=@tethered/source for the shipped figures',
    )
  }

  /** `count` cycles of open → (wait for open when `wait`) → dispose, `batch` at a time. */
  const cycles = async (subject: Subject, count: number, wait: boolean, batch = 50) => {
    for (let done = 0; done < count; done += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, count - done) }, async () => {
          const client = subject.open(url)
          if (wait) await client.opened
          await client.dispose()
        }),
      )
    }
    await drained()
  }

  const rows = []
  for (const subject of subjects) {
    // Warm up: module state, JIT, the first sockets.
    await cycles(subject, 200, true)
    await cycles(subject, 200, false)
    await settle()
    const start = performance.now()
    const before = heap()
    await cycles(subject, CYCLES / 2, false)
    await cycles(subject, CYCLES / 2, true)
    await settle()
    const after = heap()
    const cycleMs = performance.now() - start

    // Idle cost: the heap with IDLE connections open against the mean of the heap just
    // before they opened and just after they all closed (sockets close asynchronously, so
    // one side alone drifts); the median of three.
    const idle: number[] = []
    for (let rep = 0; rep < 3; rep++) {
      await settle()
      const idleBefore = heap()
      const clients = []
      for (let i = 0; i < IDLE; i += 100) {
        const batch = Array.from({ length: Math.min(100, IDLE - i) }, () => subject.open(url))
        await Promise.all(batch.map((c) => c.opened))
        clients.push(...batch)
      }
      await settle()
      const idleOpen = heap()
      await Promise.all(clients.map((c) => c.dispose()))
      clients.length = 0
      await drained()
      await settle()
      const idleAfter = heap()
      idle.push((idleOpen - (idleBefore + idleAfter) / 2) / IDLE)
    }

    rows.push({
      client: subject.name,
      cycles: CYCLES,
      cyclesMs: Math.round(cycleMs),
      heapBeforeCyclesKB: Math.round(before / 1024),
      heapAfterCyclesKB: Math.round(after / 1024),
      retainedPerCycleBytes: Math.round((after - before) / CYCLES),
      idleConnections: IDLE,
      heapPerIdleConnectionBytes: Math.round(median(idle)),
      idleRepeatsBytes: idle.map(Math.round),
    })
  }

  const raw = rows[0]?.heapPerIdleConnectionBytes ?? 1
  console.table(
    rows.map((r) => ({
      client: r.client,
      [`heap before → after ${CYCLES} cycles`]: `${(r.heapBeforeCyclesKB / 1024).toFixed(2)} → ${(r.heapAfterCyclesKB / 1024).toFixed(2)} MB`,
      'B retained / cycle': r.retainedPerCycleBytes,
      'heap / idle conn': `${(r.heapPerIdleConnectionBytes / 1024).toFixed(1)} KB`,
      'x raw': (r.heapPerIdleConnectionBytes / raw).toFixed(2),
    })),
  )
  console.log(
    `half the cycles dispose while connecting, half once open; idle = open, no traffic, all ${IDLE} at once`,
  )

  writeResults('core-memory', { core: build, cycles: CYCLES, idle: IDLE, results: rows })
  server.close()
}

await main()
